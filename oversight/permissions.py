"""Who may do what in oversight. Decisions (enforced in the services, tested in tests/oversight/):

- Spot checks: civil-affairs staff whose areas contain the county start them, record results and send
  findings; they (and administrators) read them. Directors see the findings on their own children (their
  worklist) and close them; supervisors see the findings of their township's children in the same place.
- The ledger: civil-affairs staff of the director's county (or above) edit entries, trainings and evaluations;
  supervisors read their township's directors; a director reads their own entry.
- Activities: area staff record activities held in their subtree; anyone reads activities held in or above
  their areas, but sees among the participants only the children they may see.
- Discovery: civil-affairs staff and supervisors upload lists; a list is read by staff whose areas contain the
  list's area; candidates are assigned to a director of a village in the list's area, who screens them.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Area, Role, User
from children import access


def is_civil_affairs(user: User) -> bool:
    return user.is_administrator or user.role == Role.CIVIL_AFFAIRS


def covers(user: User, code: str) -> bool:
    """The area `code` lies within one of the user's areas."""
    return access.in_user_areas(user, code) if (user.is_administrator or user.role in access.AREA_ROLES) else False


def require_civil_affairs_over(user: User, area: Area) -> None:
    if not (is_civil_affairs(user) and covers(user, area.code)):
        raise PermissionDenied(_("Only civil-affairs staff of this area may do this."))
