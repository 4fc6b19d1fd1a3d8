"""Which roster entries add, update or retire someone: the pure diff."""

from cohorts.roster.rules import Known, Member, roster_changes


def known(pid, sub, role="learner", active=True, launched=True, **personal):
    return Known(pid, sub, role, "", active, launched, **personal)


def test_new_members_are_added_and_counted_as_never_launched():
    changes = roster_changes(
        [Member("a", "learner"), Member("b", "learner"), Member("c", "staff")],
        [known(1, "a"), known(2, "b", launched=False)],
        complete=True,
    )
    assert [m.sub for m in changes.new] == ["c"]
    assert (changes.never_launched, changes.listed, changes.gone) == (2, 3, ())


def test_a_full_roster_retires_whom_it_leaves_out_but_differences_do_not():
    people = [known(1, "a"), known(2, "b"), known(3, "c", active=False)]
    assert roster_changes([Member("a", "learner")], people, complete=True).gone == (2,)
    assert roster_changes([Member("a", "learner")], people, complete=False).gone == ()


def test_deleted_and_inactive_entries_retire_known_people():
    people = [known(1, "a"), known(2, "b")]
    entries = [Member("a", "learner", status="Deleted"), Member("b", "learner", status="Inactive")]
    assert roster_changes(entries, people, complete=False).gone == (1, 2)


def test_names_change_only_when_sent_and_roles_always_count():
    people = [known(1, "a", name="Ana"), known(2, "b", name="Ben"), known(3, "c")]
    entries = [
        Member("a", "learner"),  # anonymous: no names, nothing to change
        Member("b", "learner", name="Benedict"),
        Member("c", "staff"),
    ]
    changes = roster_changes(entries, people, complete=True)
    assert [(pid, m.name, m.role) for pid, m in changes.changed] == [
        (2, "Benedict", "learner"),
        (3, None, "staff"),
    ]


def test_someone_listed_again_is_made_active_again():
    changes = roster_changes([Member("a", "learner")], [known(1, "a", active=False)], True)
    assert [pid for pid, _ in changes.changed] == [1]
    assert changes.gone == ()
