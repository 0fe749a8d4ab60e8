"""The pure diff of two snapshots."""
from submissions.diff import changes, file_changes, line_diff


def test_fields_in_form_order_and_missing_counts_as_empty():
    found = changes({"title": "A", "location_x": None}, {"title": "B", "location_x": 5,
                                                         "summary": ""})
    assert [(c.name, c.before, c.after) for c in found] == [("title", "A", "B"),
                                                            ("location_x", "", 5)]


def test_line_diff_keeps_context_and_marks_gaps():
    before = "\n".join(f"rad {i}" for i in range(20))
    after = before.replace("rad 3", "RAD 3").replace("rad 17", "RAD 17")
    lines = line_diff(before, after, context=1)
    kinds = [line.kind for line in lines]
    assert kinds == ["same", "removed", "added", "same", "gap", "same", "removed", "added",
                     "same"]
    assert lines[1].text == "rad 3" and lines[2].text == "RAD 3"


def test_file_changes():
    assert file_changes([1, 2, 3], [2, 3, 4]) == ([4], [1])
