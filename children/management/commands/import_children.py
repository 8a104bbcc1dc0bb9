"""python manage.py import_children FILE [--dry-run] [--valid-only] [--user USERNAME]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from children import imports


class Command(BaseCommand):
    help = (
        "Import children from a roster (.xlsx, .xls, .csv); every row is checked, nothing is written if one is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--valid-only", action="store_true", help="write the valid rows even if others are invalid")
        parser.add_argument("--user", help="import as this user: only into their area, history shows them")
        parser.add_argument("--errors-to", help="write the invalid rows, with an error column, to this .xlsx file")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            with open(options["file"], "rb") as upload:
                outcome = imports.run_import(
                    upload, user=user, dry_run=options["dry_run"], valid_only=options["valid_only"]
                )
        except FileNotFoundError:
            raise CommandError(f"No file {options['file']!r}.") from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        for row in outcome.invalid:
            for column, messages in row.errors.items():
                for message in messages:
                    self.stdout.write(f"第{row.number}行 {column}：{message}")
        for row in outcome.rows:
            if row.kind == "update" and options["verbosity"] > 1:
                self.stdout.write(f"第{row.number}行 更改：{'、'.join(row.changed)}")
        t = outcome.totals
        self.stdout.write(
            f"新增 {t['new']}，更改 {t['update']}，未变 {t['skip']}，有误 {t['invalid']}"
            + ("（仅检查，未写入）" if outcome.dry_run else "")
        )
        if options["errors_to"] and outcome.invalid:
            with open(options["errors_to"], "wb") as out:
                out.write(imports.invalid_rows_workbook(outcome))
        if outcome.written:
            self.stdout.write(
                self.style.SUCCESS(f"已写入：新建 {outcome.written.created}，更改 {outcome.written.updated}")
            )
        elif not outcome.dry_run and outcome.invalid:
            raise CommandError("有误的行未改正，未写入任何数据（可用 --valid-only 仅导入有效的行）。")
