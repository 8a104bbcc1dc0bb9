"""python manage.py export_children FILE.xlsx|FILE.csv [--area CODE] | --template FILE.xlsx"""

from django.core.management.base import BaseCommand, CommandError

from children import imports
from children.exports import dataset_content
from children.models import ArchiveStatus, Child
from children.resources import ChildResource


class Command(BaseCommand):
    help = "Export open archives (optionally of one area) in the import format, or write the empty import template."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--template", metavar="FILE", help="write the import template (.xlsx) to FILE")
        parser.add_argument("--area", help="area code (any level): only children of this area")

    def handle(self, *args, **options):
        if options["template"]:
            with open(options["template"], "wb") as out:
                out.write(imports.template_workbook())
            self.stdout.write(f"模板已写入 {options['template']}")
            return
        path = options["file"]
        if not path or not path.endswith((".xlsx", ".csv")):
            raise CommandError("Give a FILE ending in .xlsx or .csv, or --template FILE.xlsx.")
        queryset = Child.objects.filter(status=ArchiveStatus.OPEN).order_by("village_id", "id")
        if options["area"]:
            queryset = queryset.filter(village__code__startswith=options["area"])
        # Run by the operator on the server, to be imported again: the numbers in full.
        data = ChildResource(full_ids=True, full_phones=True).export(queryset=queryset)
        fmt = path.rsplit(".", 1)[1]
        content = dataset_content(ChildResource, data, fmt)
        with open(path, "wb") as out:
            out.write(content.encode("utf-8-sig") if isinstance(content, str) else content)
        self.stdout.write(f"{data.height} 名儿童已导出到 {path}")
