"""Fuzz of the wizard's inline rows: every RowKind's add, edit, read, delete and move endpoints.

For each row kind the fields come from its form class, so a new kind or field is fuzzed as soon
as it is registered. Each example sends three requests (add, edit, one more of the row URLs;
two for kinds that cannot be added). Expectations, per request:

- never a 500 (the counting client fails on any crash or status >= 500)
- a value of the wrong shape is refused with a message beside its field, the input kept
- any refusal of a form shows a field message (or the colleague-conflict notice)
- a saved row holds the text exactly as sent; a stale lock_version never overwrites
- markup is escaped in every response
and after the run every stored row passes full_clean() and the database constraints.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competencies.models import Effect, UsageFormat
from strategies.models import Role
from strategies.wizard.rows import ROW_KINDS

from .factories import (
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from .fuzzing import (
    MARKUP,
    VALID,
    assert_error_beside,
    assert_stored_rows_obey_the_rules,
    counting_client,
    form_data,
    fuzz_settings,
    has_field_error,
    hostile_text,
    invalid_fields,
    pick,
    scaled,
    seed_material,
)
from .wizard_rows import HX, delete_url, detail_url, edit_url, move_url, new_url

pytestmark = pytest.mark.django_db

# Examples per row kind; each example sends requests_per_example() requests.
ROW_EXAMPLES = scaled(160)


def requests_per_example(kind) -> int:
    return 3 if kind.can_add else 2


def planned_row_requests() -> int:
    return sum(ROW_EXAMPLES * requests_per_example(kind) for kind in ROW_KINDS.values())


@pytest.fixture
def fuzz_project(db):
    project = ProjectFactory()
    user = UserFactory(username="fuzzer", consultant_group=True)
    MembershipFactory(project=project, user=user, role=Role.CONSULTANT)
    seed_material(project)
    other = ProjectFactory()
    seed_material(other)
    return project, user, other


def _foreign(project, other) -> dict:
    """Ids of another project's rows, by model: posted as relation values they must be refused."""
    foreign = {}
    for kind in ROW_KINDS.values():
        theirs, mine = kind.form_class(project=other), kind.form_class(project=project)
        for name, field_obj in theirs.fields.items():
            queryset = getattr(field_obj, "queryset", None)
            if queryset is not None:
                # Catalogue rows are shared by all projects: only the other project's own rows are foreign.
                shared = set(mine.fields[name].queryset.values_list("pk", flat=True))
                ids = [pk for pk in queryset.values_list("pk", flat=True) if pk not in shared]
                foreign.setdefault(queryset.model, []).extend(ids)
    return foreign


def _idents(kind, project) -> list[str]:
    if kind.name == "effect_rating":
        return [str(pk) for pk in Effect.objects.active().values_list("pk", flat=True)]
    if kind.name == "format_rating":
        return [str(pk) for pk in UsageFormat.objects.active().values_list("pk", flat=True)]
    # The first rows (seeded, linked to others) and the latest (made by the fuzz).
    rows = kind.queryset(project)
    return [str(kind.ident(row)) for row in [*rows.order_by("pk")[:5], *rows.order_by("-pk")[:25]]]


WRONG_IDENTS = ["0", "987654321", "abc", "-1", "1e3", "99999999999999999999999", "00", "1_2"]


class Run:
    def __init__(self, kind, project, user, other):
        self.kind, self.project, self.other = kind, project, other
        self.client = counting_client(user)
        self.foreign = _foreign(project, other)
        self.foreign_idents = _idents(kind, other)
        self.tally = {"accepted": 0, "refused": 0, "examples": 0}

    def refused(self, response, values) -> None:
        """A form came back: it names what is wrong beside each field of the wrong shape."""
        body = response.content.decode()
        assert response.status_code == 200, response.status_code
        for name in invalid_fields(values):
            assert_error_beside(body, name)
        conflict = 'class="alert alert-warning"' in body
        assert has_field_error(body) or conflict, f"{self.kind.name}: refused without a message\n{body[:3000]}"
        self.tally["refused"] += 1

    def accepted(self, row, values) -> None:
        assert not invalid_fields(values), f"{self.kind.name} accepted {invalid_fields(values)}: {values}"
        row.refresh_from_db()
        for name, value in values.items():
            stored = getattr(row, name, None)
            if value.shape == VALID and isinstance(stored, str) and isinstance(value.value, str):
                assert stored == value.value.strip(), (self.kind.name, name, value.value, stored)
        self.tally["accepted"] += 1

    def add(self, draw) -> None:
        kind, project = self.kind, self.project
        form = kind.form_class(project=project, instance=kind.new(project))
        data, values = form_data(form, draw, self.foreign)
        sent = {**data, "group": "all", "slot": kind.add_dom_id("all")}
        if draw(st.booleans()):
            sent["add_query"] = draw(
                hostile_text | st.sampled_from(["topic=abc&block=-1", "group=x&due_date=x", MARKUP])
            )
        before = set(kind.queryset(project).values_list("pk", flat=True))
        response = self.client.post(new_url(project, kind.name), sent, **HX)
        if "HX-Retarget" in response:
            (new_pk,) = set(kind.queryset(project).values_list("pk", flat=True)) - before
            self.accepted(kind.model.objects.get(pk=new_pk), values)
        else:
            self.refused(response, values)

    def edit(self, draw) -> None:
        kind, project = self.kind, self.project
        ident = pick(draw, _idents(kind, project))
        if ident is None:
            # Every row of the kind was deleted: an edit finds nothing to save over.
            assert self.client.post(edit_url(project, kind.name, "987654321"), **HX).status_code in (200, 404)
            return
        row = kind.lookup(kind, project, ident)
        lock = draw(st.sampled_from(["right", "right", "right", "stale", "junk", "missing"]))
        ahead = draw(st.integers(1, 10**6))
        current = row.lock_version if row.pk is not None else None
        form = kind.form_class(project=project, instance=row)
        data, values = form_data(form, draw, self.foreign)
        if lock == "right":
            data["lock_version"] = "" if current is None else str(current)
        elif lock == "stale" and current is not None:
            data["lock_version"] = str(current + ahead)
        elif lock == "junk":
            data["lock_version"] = draw(st.sampled_from(["-1", "abc", "1.0", "\x00", "9" * 20, "²", "①", "٣", MARKUP]))
        response = self.client.post(edit_url(project, kind.name, ident), data, **HX)
        if response.status_code == 404:
            # Only a rating never saved, posted with a made-up version, finds nothing to save over.
            assert row.pk is None and lock != "right", (kind.name, ident, lock)
            return
        if "data-row-form" in response.content.decode():
            self.refused(response, values)
            return
        unreadable = ("", "abc", "1.0", "-1", "\x00", "²", "①", MARKUP)
        may_save = lock == "right" or (row.pk is None and data.get("lock_version", "") in unreadable)
        assert may_save, f"{kind.name}: a save with lock_version {data.get('lock_version')!r} overwrote the row"
        self.accepted(kind.lookup(kind, project, ident), values)

    def other_request(self, draw) -> None:
        kind, project, client = self.kind, self.project, self.client
        mine = _idents(kind, project)
        wrong = draw(st.sampled_from(WRONG_IDENTS + self.foreign_idents))
        if kind.name in ("effect_rating", "format_rating", "potential_profile", "community") and wrong in mine:
            wrong = "987654321"  # catalogue ids and the project are shared; pick one that is surely not here
        action = draw(st.sampled_from(["get_new", "get_edit", "get_detail", "post_edit", "delete", "move", "slot"]))
        if action == "get_new" and kind.can_add:
            query = draw(
                st.dictionaries(
                    st.sampled_from([*kind.form_class.base_fields, "group", "closed", "x"]), hostile_text, max_size=4
                )
            )
            response = client.get(new_url(project, kind.name), {**query}, **HX)
            assert response.status_code in (200, 404)
            return
        if action == "get_edit":
            assert client.get(edit_url(project, kind.name, wrong), **HX).status_code == 404
            return
        if action == "get_detail":
            assert client.get(detail_url(project, kind.name, wrong), **HX).status_code == 404
            return
        if action == "post_edit":
            response = client.post(edit_url(project, kind.name, wrong), {"lock_version": "0"}, **HX)
            # A vanished row's input is offered as a new row (kinds that can add); else nothing is found.
            assert response.status_code in ((200, 404) if kind.can_add else (404,))
            return
        if action == "delete":
            # Deleting keeps a few rows for the edits to work on.
            target = pick(draw, [wrong, *mine[:3]]) if len(mine) > 3 else wrong
            response = client.post(delete_url(project, kind.name, target), **HX)
            if target == wrong or not kind.deletable:
                assert response.status_code == 404
            else:
                assert response.status_code == 200
            return
        if action == "move":
            target = pick(draw, [wrong, *mine[:3]])
            direction = draw(st.sampled_from(["up", "down", "UP", "", "sideways", "\x00", MARKUP]))
            response = client.post(move_url(project, kind.name, target), {"direction": direction}, **HX)
            ok = kind.orderable and direction in ("up", "down") and target != wrong
            assert response.status_code == (204 if ok else 404)
            return
        # A slot or group that is no DOM id is refused before anything is saved.
        bad = draw(st.sampled_from(["a b", "<x>", "\x00", "x" * 61, "'\"", "😀", "all\n", "all\r\n"]))
        field_name = draw(st.sampled_from(["slot", "group"]))
        response = client.post(new_url(project, kind.name), {field_name: bad}, **HX)
        assert response.status_code == 404


@pytest.mark.parametrize("kind_name", sorted(ROW_KINDS))
def test_row_endpoints_refuse_bad_input_beside_the_field_and_store_only_valid_rows(kind_name, fuzz_project):
    project, user, other = fuzz_project
    run = Run(ROW_KINDS[kind_name], project, user, other)

    @fuzz_settings(ROW_EXAMPLES)
    @given(st.data())
    def example(data):
        run.tally["examples"] += 1
        if run.kind.can_add:
            run.add(data.draw)
        run.edit(data.draw)
        run.other_request(data.draw)

    example()
    planned = ROW_EXAMPLES * requests_per_example(run.kind)
    assert run.tally["examples"] >= ROW_EXAMPLES
    assert run.client.sent >= planned, (run.client.sent, planned)
    # The fuzz reached both sides: saved rows and refused ones.
    assert run.tally["accepted"] >= ROW_EXAMPLES // 10, run.tally
    assert run.tally["refused"] >= ROW_EXAMPLES // 10, run.tally
    assert_stored_rows_obey_the_rules()
