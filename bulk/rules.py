"""Rules of bulk actions (pure: no ORM, no clock)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The most children one bulk action takes (a village's or a township's worth; a county's is a job for the exports
# and the archive packs, which run in the background).
SELECTION_MAX = 500
# Archives printed into one PDF within the request (each is several pages); more: the "Print archives" page packs
# a village or a township in the background.
PRINT_MAX = 50
# Values of an archive number that fit the database's column (a bigger number names no child).
_ID_MAX = 2**63 - 1


def selection(values: list[str], *, cap: int = SELECTION_MAX) -> list[int]:
    """The archive numbers posted as a selection (checkbox values), each once, in the order given. Refused whole
    (nothing is done) when empty, too long, or holding anything but numbers."""
    ids: list[int] = []
    for value in values:
        value = (value or "").strip()
        if not value.isdigit() or not value.isascii() or int(value) > _ID_MAX or int(value) == 0:
            raise ValidationError(_("The selection is not valid. Reload the list and choose again."))
        ids.append(int(value))
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError(_("Choose at least one child (tick the boxes in the list)."))
    if len(ids) > cap:
        raise ValidationError(
            _("You chose %(n)d children; one bulk action takes at most %(cap)d. Narrow the list and choose again.")
            % {"n": len(ids), "cap": cap}
        )
    return ids
