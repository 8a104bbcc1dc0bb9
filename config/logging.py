"""One JSON object per log line, so that log shippers need no parsing rules.

A record's message becomes "message"; a dict passed as `extra={"data": {...}}` is merged into the line (that is
how the request and task lines carry their fields). Nothing here adds personal data: callers pass ids only.
"""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            line.update(data)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
