"""Creating the regions the shipped data (rule sets, task plans) refers to. Takes the model class so that data
migrations can pass their historical model."""

from .models import PREFIX_LENGTH

# The seeds' regions and the areas above them (DOMAIN.md §1): code -> (name, level, parent code).
KNOWN_REGIONS = {
    "370000": ("山东省", "province", None),
    "370200": ("青岛市", "city", "370000"),
    "320000": ("江苏省", "province", None),
    "330000": ("浙江省", "province", None),
    "330900": ("舟山市", "city", "330000"),
    "330903": ("普陀区", "county", "330900"),
    "120000": ("天津市", "province", None),
    "120116": ("滨海新区", "county", "120000"),
}


def ensure_area(Area, code: str, name: str, level: str, parent):
    area = Area.objects.filter(code=code).first()
    if area is None:
        area = Area.objects.create(
            code=code, name=name, level=level, parent=parent, prefix=code[: PREFIX_LENGTH[level]]
        )
    return area


def fixture_area(Area, item: dict):
    """The area a shipped rule fixture names (`item["area"]`: code, name, level and its parents), created with the
    areas above it if missing; None for a nationwide default."""
    if not item["area"]:
        return None
    parent = None
    for code, name, level in item["area"]["parents"]:
        parent = ensure_area(Area, code, name, level, parent)
    a = item["area"]
    return ensure_area(Area, a["code"], a["name"], a["level"], parent)


def ensure_region(Area, code: str):
    """A known seed region with the areas above it."""
    name, level, parent_code = KNOWN_REGIONS[code]
    parent = ensure_region(Area, parent_code) if parent_code else None
    return ensure_area(Area, code, name, level, parent)


def ancestor_prefixes(code: str) -> list[str]:
    """The code prefixes of an area and of every area above it (province, city, county, township, village),
    e.g. 370283001001 -> 37, 3702, 370283, 370283001, 370283001001."""
    return [code[:n] for n in sorted(PREFIX_LENGTH.values()) if n <= len(code)]
