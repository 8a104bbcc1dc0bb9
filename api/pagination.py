from django.conf import settings
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Opaque `cursor` links (`next`, `previous`); `page_size` up to 200. Each view names its ordering."""

    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"
