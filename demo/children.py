"""Demo data: areas, one user per role, and children with families, categories, welfare and colours.

Rows are generated as plain tuples and written in bulk: PostgreSQL COPY when the database is PostgreSQL, batched
INSERTs otherwise (SQLite). No model `save()` per child, so a million children load in minutes.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from accounts.models import PREFIX_LENGTH, Area, AreaLevel, Department, Role, User, enclosing_code
from children import idnumber
from children.bulk import copy_rows
from children.categories import CATEGORY_BITS, Category, parent_flags_for
from children.models import (
    ArchiveStatus,
    Child,
    ChildCategory,
    ColourChange,
    EntrustedCare,
    FamilyMember,
    ParentSituation,
    Relation,
    WelfareCoverage,
)

from .names import (
    CITIES_WORKED,
    DEMO_TOWNSHIPS,
    DEMO_VILLAGES,
    GIVEN_BOY,
    GIVEN_GIRL,
    PLACE_SYLLABLES,
    SCHOOLS,
    SHANDONG_CITIES,
    SURNAME_WEIGHTS,
    SURNAMES,
)

DEMO_PASSWORD = "Demo@2026"
DEMO_COUNTY = ("370283", "平度市")
CHILDREN_PER_VILLAGE = 60
VILLAGES_PER_TOWNSHIP = 15
TOWNSHIPS_PER_COUNTY = 12

# (username, role, family name, given name, area code or None, department kind or None)
DEMO_USERS = [
    ("admin", Role.ADMIN, "管", "理员", None, None),
    ("director", Role.DIRECTOR, "王", "秀兰", "370283001001", None),
    ("director2", Role.DIRECTOR, "李", "建国", "370283001002", None),
    ("director3", Role.DIRECTOR, "赵", "红梅", "370283002001", None),
    ("supervisor", Role.SUPERVISOR, "张", "伟", "370283001", None),
    ("supervisor2", Role.SUPERVISOR, "孙", "丽", "370283002", None),
    ("county", Role.CIVIL_AFFAIRS, "刘", "洋", "370283", None),
    ("city", Role.CIVIL_AFFAIRS, "陈", "静", "370200", None),
    ("province", Role.CIVIL_AFFAIRS, "杨", "帆", "370000", None),
    ("liaison", Role.LIAISON, "周", "敏", None, "education"),
    ("liaison_qd", Role.LIAISON, "吴", "刚", None, "qingdao_education"),
]


class BulkWriter:
    """Write rows of one model: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.next_ids: dict[type[Model], int] = {}

    def allocate_ids(self, model: type[Model], count: int) -> int:
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self.next_ids[model]
        self.next_ids[model] = first + count
        return first

    def write(self, model: type[Model], fields: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        table = model._meta.db_table
        columns = [model._meta.get_field(f).column for f in fields]
        if self.pg:
            copy_rows(table, columns, rows)
            return
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def reset_sequences(self) -> None:
        models = list(self.next_ids)
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- areas and users ---------------------------------------------------------------------------------------


def _area(code: str, name: str, level: str, parent: Area | None) -> Area:
    area, _created = Area.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return area


def build_demo_areas() -> list[Area]:
    """The demo county (平度市) with its townships and villages; returns its villages."""
    province = _area("370000", "山东省", AreaLevel.PROVINCE, None)
    city = _area("370200", "青岛市", AreaLevel.CITY, province)
    county = _area(DEMO_COUNTY[0], DEMO_COUNTY[1], AreaLevel.COUNTY, city)
    villages = []
    for t, (township_name, village_names) in enumerate(zip(DEMO_TOWNSHIPS, DEMO_VILLAGES, strict=True), start=1):
        township = _area(f"{county.code}{t:03d}", township_name, AreaLevel.TOWNSHIP, county)
        for v, village_name in enumerate(village_names, start=1):
            villages.append(_area(f"{township.code}{v:03d}", village_name, AreaLevel.VILLAGE, township))
    # A second county, so that "another area" exists for everyone.
    other = _area("370281", "胶州市", AreaLevel.COUNTY, city)
    other_township = _area("370281001", "阜安街道", AreaLevel.TOWNSHIP, other)
    for v, name in enumerate(["北关村", "南关村"], start=1):
        villages.append(_area(f"{other_township.code}{v:03d}", name, AreaLevel.VILLAGE, other_township))
    return villages


def build_scaled_areas(rng: random.Random, villages_needed: int) -> list[Area]:
    """More counties across Shandong's cities until there are enough villages (bulk-created)."""
    province = Area.objects.get(code="370000")
    existing_cities = {a.code: a for a in Area.objects.filter(level=AreaLevel.CITY)}
    new_areas: list[Area] = []
    cities = []
    for code, name in SHANDONG_CITIES:
        city = existing_cities.get(code) or Area(
            code=code, name=name, level=AreaLevel.CITY, parent=province, prefix=code[: PREFIX_LENGTH[AreaLevel.CITY]]
        )
        if code not in existing_cities:
            new_areas.append(city)
        cities.append(city)
    villages: list[Area] = []
    county_seq: dict[str, int] = defaultdict(lambda: 50)  # county codes xx50.. are free of the real ones used
    used_names: set[str] = set()
    city_index = 0
    while len(villages) < villages_needed:
        city = cities[city_index % len(cities)]
        city_index += 1
        county_seq[city.code] += 1
        ccode = f"{city.prefix}{county_seq[city.code]:02d}"  # a county code: the city's prefix and two digits
        county = Area(
            code=ccode, name=_place_name(rng, used_names, "县"), level=AreaLevel.COUNTY, parent=city, prefix=ccode
        )
        new_areas.append(county)
        for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
            tcode = f"{ccode}{t:03d}"
            township = Area(
                code=tcode, name=_place_name(rng, None, "镇"), level=AreaLevel.TOWNSHIP, parent=county, prefix=tcode
            )
            new_areas.append(township)
            for v in range(1, VILLAGES_PER_TOWNSHIP + 1):
                vcode = f"{tcode}{v:03d}"
                village = Area(
                    code=vcode,
                    name=_place_name(rng, None, "村"),
                    level=AreaLevel.VILLAGE,
                    parent=township,
                    prefix=vcode,
                )
                new_areas.append(village)
                villages.append(village)
    Area.objects.bulk_create(new_areas, batch_size=5000)
    return villages


def _place_name(rng: random.Random, used: set[str] | None, suffix: str) -> str:
    for _ in range(50):
        name = "".join(rng.choice(PLACE_SYLLABLES) for _ in range(2)) + suffix
        if used is None or name not in used:
            if used is not None:
                used.add(name)
            return name
    return name


def build_demo_users() -> list[tuple[str, str, str]]:
    """One user per role (idempotent). Returns (username, role label, password) rows."""
    county = Area.objects.get(code=DEMO_COUNTY[0])
    education, _ = Department.objects.get_or_create(
        area=county, name="平度市教育和体育局", defaults={"kind": "education"}
    )
    Department.objects.get_or_create(area=county, name="平度市民政局", defaults={"kind": "civil_affairs"})
    Department.objects.get_or_create(area=county, name="平度市公安局", defaults={"kind": "public_security"})
    rows = []
    for username, role, last, first, area_code, dept_kind in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "last_name": last,
                "first_name": first,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if area_code:
            user.areas.set([Area.objects.get(code=area_code)])
        if dept_kind == "qingdao_education":  # a department of Qingdao's task matrix (tasks/)
            user.department = Department.objects.filter(area_id="370200", kind="education").first()
            user.save(update_fields=["department"])
        elif dept_kind:
            user.department = education
            user.save(update_fields=["department"])
        rows.append((username, str(Role(role).label), DEMO_PASSWORD))
    return rows


# --- children ----------------------------------------------------------------------------------------------

PRIMARY = [  # (category, share) — proportions in line with county rosters
    (Category.LEFT_BEHIND_RURAL, 0.55),
    (Category.LEFT_BEHIND_URBAN, 0.07),
    (Category.OTHER_DIFFICULTY, 0.15),
    (Category.KEY_DIFFICULTY, 0.08),
    (Category.ORPHAN_SCATTERED, 0.04),
    (Category.DE_FACTO_UNSUPPORTED, 0.05),
    (Category.ORPHAN_INSTITUTION, 0.01),
    (Category.DISABLED, 0.05),
]
SECONDARY = [
    (Category.DISABLED, 0.05),
    (Category.SERIOUSLY_ILL, 0.03),
    (Category.SINGLE_PARENT, 0.12),
    (Category.DROPOUT, 0.005),
    (Category.VAGRANCY_HISTORY, 0.003),
    (Category.PSYCH_ABNORMAL, 0.02),
    (Category.POOR_GUARDIANSHIP, 0.03),
]
COLOURS = [("green", 0.6), ("yellow", 0.25), ("orange", 0.1), ("red", 0.05)]


def _pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    r = rng.random()
    acc = 0.0
    for value, share in table:
        acc += share
        if r < acc:
            return value
    return table[-1][0]


CHILD_FIELDS = [
    "id",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "village",
    "address",
    "status",
    "close_reason",
    "closed_on",
    "colour",
    "category_flags",
    "parent_flags",
    "risk_grade",
    "enrolment",
    "school",
    "grade",
    "health",
    "health_notes",
    "disability",
    "disability_grade",
    "notes",
    "registered_on",
    "created_by",
    "created_at",
    "updated_at",
    "version",
]
CATEGORY_FIELDS = ["id", "child", "category", "started_on", "ended_on", "note"]
FAMILY_FIELDS = [
    "id",
    "child",
    "relation",
    "name",
    "id_number",
    "phone",
    "is_guardian",
    "situation",
    "work_destination",
    "away_since",
    "contact_frequency",
    "note",
]
CARE_FIELDS = [
    "id",
    "child",
    "caregiver_name",
    "relation",
    "phone",
    "id_number",
    "agreement_signed",
    "agreement_date",
    "agreement_scan",
]
WELFARE_FIELDS = ["id", "child", "kind", "started_on", "ended_on", "monthly_amount", "note"]
COLOUR_FIELDS = ["id", "child", "colour", "changed_on", "reason", "changed_by"]


class ChildGenerator:
    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.seq: dict[tuple[str, datetime.date], int] = defaultdict(int)
        self.now = timezone.now()

    def _name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        pool = GIVEN_BOY if male else GIVEN_GIRL
        return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))

    def _adult_name(self, surname_of: str | None, male: bool) -> str:
        name = self._name(male)
        return (surname_of + name[1:]) if surname_of else name

    def _id(self, region6: str, birth: datetime.date, male: bool) -> str:
        key = (region6, birth)
        n = self.seq[key]
        self.seq[key] = n + 1
        sequence = 2 * n + (1 if male else 0)  # odd for boys, even for girls
        if sequence > 999:
            return ""
        return idnumber.make(region6, birth, sequence)

    def child_rows(self, writer: BulkWriter, villages: list[Area], count: int, created_by_id: int | None):
        rng = self.rng
        first_id = writer.allocate_ids(Child, count)
        children, categories, family, care, welfare, colours = [], [], [], [], [], []
        for i in range(count):
            pk = first_id + i
            village = villages[i % len(villages)] if i < len(villages) else rng.choice(villages)
            male = rng.random() < 0.53
            age_days = rng.randint(200, 17 * 365 + 300)
            birth = self.today - datetime.timedelta(days=age_days)
            number = self._id(enclosing_code(village.code, AreaLevel.COUNTY), birth, male)
            if not number:
                continue
            name = self._name(male)
            primary = _pick(rng, PRIMARY)
            held = {primary}
            for cat, share in SECONDARY:
                if rng.random() < share:
                    held.add(cat)
            closed = rng.random() < 0.02
            colour = _pick(rng, COLOURS)
            if Category.ORPHAN_SCATTERED in held or Category.DE_FACTO_UNSUPPORTED in held:
                colour = rng.choice(("orange", "red", "yellow"))
            age = age_days // 365
            enrolment = (
                "not_school_age"
                if age < 3
                else "preschool"
                if age < 6
                else "dropped_out"
                if Category.DROPOUT in held
                else "enrolled"
                if age < 16
                else "finished"
            )
            disabled = Category.DISABLED in held
            registered = self.today - datetime.timedelta(days=rng.randint(0, min(age_days, 3 * 365)))
            surname = name[0]
            father_sit, mother_sit = ParentSituation.NORMAL, ParentSituation.NORMAL
            left_behind = primary in (Category.LEFT_BEHIND_RURAL, Category.LEFT_BEHIND_URBAN)
            if left_behind:
                father_sit = ParentSituation.WORKING_AWAY
                mother_sit = ParentSituation.WORKING_AWAY if rng.random() < 0.6 else ParentSituation.NORMAL
            elif primary in (Category.ORPHAN_SCATTERED, Category.ORPHAN_INSTITUTION):
                father_sit = mother_sit = ParentSituation.DEAD
            elif primary == Category.DE_FACTO_UNSUPPORTED:
                father_sit = rng.choice(
                    (
                        ParentSituation.IMPRISONED,
                        ParentSituation.SEVERE_DISABILITY,
                        ParentSituation.MISSING,
                        ParentSituation.COMPULSORY_REHAB,
                    )
                )
                mother_sit = rng.choice(
                    (ParentSituation.MISSING, ParentSituation.DEAD, ParentSituation.SERIOUS_ILLNESS)
                )
            elif Category.SINGLE_PARENT in held:
                mother_sit = rng.choice((ParentSituation.MISSING, ParentSituation.DEAD))
            elif primary in (Category.KEY_DIFFICULTY, Category.OTHER_DIFFICULTY):
                father_sit = rng.choice(
                    (ParentSituation.SERIOUS_ILLNESS, ParentSituation.SEVERE_DISABILITY, ParentSituation.NORMAL)
                )
            children.append(
                (
                    pk,
                    name,
                    number,
                    "M" if male else "F",
                    birth,
                    "汉族",
                    village.code,
                    f"{village.name}{rng.randint(1, 300)}号",
                    ArchiveStatus.CLOSED if closed else ArchiveStatus.OPEN,
                    "moved_away" if closed else "",
                    self.today if closed else None,
                    colour,
                    sum(CATEGORY_BITS[c] for c in held),
                    parent_flags_for((father_sit, mother_sit)),
                    "",
                    enrolment,
                    (village.name[:2] + rng.choice(SCHOOLS)) if enrolment in ("enrolled", "preschool") else "",
                    f"{max(1, age - 6)}年级" if enrolment == "enrolled" else "",
                    "seriously_ill" if Category.SERIOUSLY_ILL in held else "healthy",
                    "",
                    rng.choice(("physical", "intellectual", "hearing", "visual")) if disabled else "",
                    rng.randint(1, 4) if disabled else None,
                    "",
                    registered,
                    created_by_id,
                    self.now,
                    self.now,
                    1,
                )
            )
            for cat in held:
                categories.append((None, pk, cat, registered, None, ""))
            for relation, sit, is_male in ((Relation.FATHER, father_sit, True), (Relation.MOTHER, mother_sit, False)):
                away = sit == ParentSituation.WORKING_AWAY
                family.append(
                    (
                        None,
                        pk,
                        relation,
                        self._adult_name(surname if is_male else None, is_male),
                        "",
                        f"1{rng.randint(3000000000, 9999999999)}" if sit not in (ParentSituation.DEAD,) else "",
                        sit not in (ParentSituation.DEAD, ParentSituation.MISSING, ParentSituation.IMPRISONED),
                        sit,
                        rng.choice(CITIES_WORKED) if away else "",
                        self.today - datetime.timedelta(days=rng.randint(100, 2000)) if away else None,
                        rng.choice(("weekly", "weekly", "monthly", "rarely")) if away else "",
                        "",
                    )
                )
            if left_behind or primary in (Category.ORPHAN_SCATTERED, Category.DE_FACTO_UNSUPPORTED):
                grandparent = self._adult_name(surname, rng.random() < 0.5)
                family.append(
                    (
                        None,
                        pk,
                        Relation.GRANDPARENT,
                        grandparent,
                        "",
                        f"1{rng.randint(3000000000, 9999999999)}",
                        not left_behind,
                        ParentSituation.NORMAL,
                        "",
                        None,
                        "daily",
                        "",
                    )
                )
                if left_behind:
                    signed = rng.random() < 0.85
                    care.append(
                        (
                            None,
                            pk,
                            grandparent,
                            Relation.GRANDPARENT,
                            f"1{rng.randint(3000000000, 9999999999)}",
                            "",
                            signed,
                            registered if signed else None,
                            "",
                        )
                    )
            if primary in (Category.ORPHAN_SCATTERED, Category.ORPHAN_INSTITUTION, Category.DE_FACTO_UNSUPPORTED):
                welfare.append((None, pk, "orphan_allowance", registered, None, "1580.00", ""))
            if primary in (Category.KEY_DIFFICULTY, Category.OTHER_DIFFICULTY) and rng.random() < 0.5:
                welfare.append((None, pk, "dibao", registered, None, f"{rng.choice((600, 750, 900))}.00", ""))
            if disabled and rng.random() < 0.7:
                welfare.append((None, pk, "rehabilitation", registered, None, None, ""))
            if rng.random() < 0.08:
                welfare.append((None, pk, "education", registered, None, None, ""))
            colours.append((None, pk, colour, registered, "建档", created_by_id))
        return children, categories, family, care, welfare, colours


def _with_ids(writer: BulkWriter, model: type[Model], rows: list[tuple]) -> list[tuple]:
    first = writer.allocate_ids(model, len(rows))
    return [(first + i,) + row[1:] for i, row in enumerate(rows)]


def seed_children(*, count: int, villages: list[Area], seed: int = 2024, batch: int = 20000, progress=None) -> int:
    """Generate `count` children spread over `villages`, in batches, each batch in one transaction."""
    rng = random.Random(seed)
    gen = ChildGenerator(rng, timezone.localdate())
    writer = BulkWriter()
    director = User.objects.filter(username="director").values_list("pk", flat=True).first()
    # Continue ID sequences after existing children so that a second run adds rather than collides.
    for number, birth in Child.objects.values_list("id_number", "birth_date").iterator():
        key = (number[:6], birth)
        gen.seq[key] = max(gen.seq[key], int(number[14:17]) // 2 + 1)
    done = 0
    while done < count:
        n = min(batch, count - done)
        children, categories, family, care, welfare, colours = gen.child_rows(writer, villages, n, director)
        with transaction.atomic():
            writer.write(Child, CHILD_FIELDS, children)
            writer.write(ChildCategory, CATEGORY_FIELDS, _with_ids(writer, ChildCategory, categories))
            writer.write(FamilyMember, FAMILY_FIELDS, _with_ids(writer, FamilyMember, family))
            writer.write(EntrustedCare, CARE_FIELDS, _with_ids(writer, EntrustedCare, care))
            writer.write(WelfareCoverage, WELFARE_FIELDS, _with_ids(writer, WelfareCoverage, welfare))
            writer.write(ColourChange, COLOUR_FIELDS, _with_ids(writer, ColourChange, colours))
        done += n
        if progress:
            progress(done)
    writer.reset_sequences()
    analyze()
    return done


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL plans badly on tables it has never analysed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def villages_for(count: int, rng: random.Random, demo_villages: Iterable[Area]) -> list[Area]:
    """Demo villages first; beyond about CHILDREN_PER_VILLAGE each, more counties are added."""
    villages = [v for v in demo_villages if v.code.startswith(DEMO_COUNTY[0])]
    needed = count // CHILDREN_PER_VILLAGE - len(villages)
    if needed > 0:
        existing = list(Area.objects.filter(level=AreaLevel.VILLAGE).exclude(code__startswith="3702"))
        villages += existing
        if len(existing) < needed:
            villages += build_scaled_areas(rng, needed - len(existing))
    return villages


def build_area_staff(villages: list[Area]) -> int:
    """A director for every generated village, a supervisor for every township and a civil-affairs user for
    every county (outside the demo county, whose named users exist already). No usable password: these exist
    so that reminders at scale have someone to go to."""
    demo_prefix = DEMO_COUNTY[0]
    generated = [v for v in villages if not v.code.startswith(demo_prefix)]
    if not generated:
        return 0
    townships = sorted({enclosing_code(v.code, AreaLevel.TOWNSHIP) for v in generated})
    counties = sorted({enclosing_code(v.code, AreaLevel.COUNTY) for v in generated})
    existing = set(User.objects.filter(username__startswith="auto-").values_list("username", flat=True))
    plan = [(f"auto-d-{v.code}", Role.DIRECTOR, v.code) for v in generated]
    plan += [(f"auto-s-{code}", Role.SUPERVISOR, code) for code in townships]
    plan += [(f"auto-c-{code}", Role.CIVIL_AFFAIRS, code) for code in counties]
    plan = [p for p in plan if p[0] not in existing]
    users = [User(username=name, role=role, password="!", last_name="", first_name=name) for name, role, _ in plan]
    User.objects.bulk_create(users, batch_size=5000)
    ids = dict(User.objects.filter(username__in=[p[0] for p in plan]).values_list("username", "pk"))
    through = User.areas.through
    through.objects.bulk_create(
        [through(user_id=ids[name], area_id=code) for name, _role, code in plan], batch_size=5000
    )
    return len(plan)
