"""Password rules beyond Django's own: a password mixes letters, digits and symbols."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCharactersValidator:
    """At least one letter, one digit and one character that is neither (e.g. `Demo@2026`)."""

    def validate(self, password: str, user=None) -> None:
        has_letter = any(c.isalpha() for c in password)
        has_digit = any(c.isdigit() for c in password)
        has_symbol = any(not c.isalnum() and not c.isspace() for c in password)
        if not (has_letter and has_digit and has_symbol):
            raise ValidationError(
                _("The password must contain letters, digits and at least one symbol such as @ # ! or %."),
                code="password_not_mixed",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain letters, digits and at least one symbol such as @ # ! or %.")
