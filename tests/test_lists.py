"""Lists are lists: imported Letterboxd lists, kwatch's list commands, the --list filter, and
the import choices (--lists, --only catalogue) with the dry run's summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import db_snapshot

WATCHED = "Date,Name,Year,Letterboxd URI\n"
LIST = (
    "Letterboxd list export v7\n"
    "Date,Name,Tags,URL,Description\n"
    '2019-09-19,Palme d\'Or,"cannes, prizes",https://boxd.it/3Yb9Q,Every winner\n'
    "\n"
    "Position,Name,Year,URL,Description\n"
    "1,Parasite,2019,https://boxd.it/hTha,The best one\n"
    "2,The Tree of Life,2011,https://boxd.it/1Zlk,\n"
)


def export(tmp_path: Path, *, deleted: bool = False) -> Path:
    folder = tmp_path / "export"
    (folder / "lists").mkdir(parents=True)
    (folder / "watched.csv").write_text(
        WATCHED + "2020-02-02,Parasite,2019,https://boxd.it/hTha\n", encoding="utf-8"
    )
    (folder / "lists" / "palme-dor.csv").write_text(LIST, encoding="utf-8")
    if deleted:
        (folder / "deleted" / "lists").mkdir(parents=True)
        (folder / "deleted" / "lists" / "gone.csv").write_text(
            LIST.replace("Palme d'Or", "Gone").replace("3Yb9Q", "gone1"), encoding="utf-8"
        )
    return folder


def test_a_film_only_in_a_list_is_not_on_the_watchlist(run, tmp_path):
    report = run("import", "letterboxd", str(export(tmp_path)), "--json").json()
    assert report["counts"]["lists"]["added"] == 1
    assert report["summary"]["list_only"] == 1 and report["summary"]["completed"] == 1
    library = [e["id"] for e in run("list", "--json").json()]
    assert library == ["parasite-2019"]
    shown = run("lists", "show", "Palme d'Or", "--json").json()
    assert [i["title"] for i in shown["items"]] == ["Parasite", "The Tree of Life"]
    assert shown["items"][0]["note"] == "The best one" and shown["ranked"] is True
    assert shown["description"] == "Every winner" and shown["tags"] == ["cannes", "prizes"]
    # The film's note in the list is the list's, not a note on the entry.
    assert run("show", "parasite-2019", "--json").json()["entry"]["notes"] == []
    # Parasite is completed since its viewing, not since the list was made.
    history = run("show", "parasite-2019", "--json").json()["entry"]["status_history"]
    assert history[-1]["changed_on"] == "2020-02-02"
    again = run("import", "letterboxd", str(export(tmp_path / "b")), "--json").json()
    assert again["added"] == 0 and again["counts"]["lists"]["unchanged"] == 1


def test_lists_under_deleted_are_not_imported(run, tmp_path):
    run("import", "letterboxd", str(export(tmp_path, deleted=True)))
    assert [x["name"] for x in run("lists", "show", "--json").json()] == ["Palme d'Or"]


def test_lists_as_tags_or_skipped(run, tmp_path):
    run("import", "letterboxd", str(export(tmp_path)), "--lists", "tags")
    assert "list:palme-dor" in run("show", "parasite-2019", "--json").json()["entry"]["tags"]
    assert run("lists", "show", "--json").json() == []
    assert [e["id"] for e in run("list", "--json").json()] == ["parasite-2019"]
    bad = run("import", "letterboxd", str(export(tmp_path / "b")), "--lists", "maybe")
    assert bad.exit_code != 0 and bad.stdout == "" and "--lists" in bad.stderr


@pytest.mark.parametrize("choice", [["--only", "catalogue"], ["--korean"]])
def test_only_catalogue_keeps_a_library_korean(run, tmp_path, choice):
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "watched.csv").write_text(
        WATCHED + "2020-02-02,Parasite,2019,https://boxd.it/hTha\n"
        "2020-02-03,Soylent Green,1973,https://boxd.it/sg\n",
        encoding="utf-8",
    )
    report = run("import", "letterboxd", str(folder), *choice, "--json").json()
    assert [e["id"] for e in run("list", "--json").json()] == ["parasite-2019"]
    assert report["summary"]["not_in_catalogue"] == 1
    assert report["counts"]["titles"]["added"] == 0
    clash = run("import", "letterboxd", str(folder), "--korean", "--only", "everything")
    assert clash.exit_code == 2 and "--korean is --only catalogue" in clash.stderr


def test_the_dry_run_reports_what_titles_become_and_changes_nothing(run, tmp_path, db_path):
    run("add", "Oasis")
    before = db_snapshot(db_path)
    result = run("import", "letterboxd", str(export(tmp_path)), "--dry-run")
    assert result.exit_code == 0
    assert "1 completed, 0 on the watchlist, 1 only in lists" in result.stderr
    assert "by id" in result.stderr and "by name" in result.stderr
    assert db_snapshot(db_path) == before


def test_list_commands_create_edit_reorder_export(run, tmp_path):
    made = run("lists", "create", "Friday films", "--ranked", "--json").json()
    assert made["id"] == "friday-films" and made["items"] == []
    for title in ("Bleak Night", "Oasis", "Burning"):
        assert run("lists", "add", "friday-films", title, "--json").exit_code == 0
    moved = run("lists", "move", "Friday films", "burning-2018", "1", "--json").json()
    assert [i["id"] for i in moved["items"]] == ["burning-2018", "bleak-night-2011", "oasis-2002"]
    assert [i["position"] for i in moved["items"]] == [1, 2, 3]
    edited = run("lists", "edit", "friday-films", "--name", "Saturday", "--json").json()
    assert edited["name"] == "Saturday"
    # A list is not the watchlist; --list filters where the shared filters apply.
    assert run("list", "--json").json() == []
    found = run("catalogue", "list", "--list", "Saturday", "--json").json()
    assert {t["id"] for t in found} == {"burning-2018", "bleak-night-2011", "oasis-2002"}
    run("add", "Oasis")
    assert [e["id"] for e in run("list", "--list", "saturday", "--json").json()] == ["oasis-2002"]
    out = tmp_path / "saturday.csv"
    assert run("lists", "export", "friday-films", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Letterboxd list export v7") and "1,Burning,2018" in text
    removed = run("lists", "remove", "friday-films", "oasis-2002", "--json").json()
    assert [i["position"] for i in removed["items"]] == [1, 2]
    gone = run("lists", "delete", "friday-films", "--json").json()
    assert gone["size"] == 2
    missing = run("lists", "show", "friday-films", "--json")
    assert missing.exit_code != 0 and missing.stdout == ""


def test_an_exported_list_imports_again_as_the_same_list(run, tmp_path):
    run("import", "letterboxd", str(export(tmp_path)))
    out = tmp_path / "again" / "lists" / "palme-dor.csv"
    out.parent.mkdir(parents=True)
    run("lists", "export", "palme-dor", "-o", str(out))
    report = run("import", "letterboxd", str(tmp_path / "again"), "--json").json()
    assert report["added"] == 0 and report["counts"]["lists"]["unchanged"] == 1


def test_likes_and_favourites_come_in_and_go_back_out(run, tmp_path):
    folder = export(tmp_path)
    (folder / "likes").mkdir()
    (folder / "likes" / "films.csv").write_text(
        WATCHED + "2020-02-03,Parasite,2019,https://boxd.it/hTha\n", encoding="utf-8"
    )
    (folder / "likes" / "reviews.csv").write_text("Date,Name\n", encoding="utf-8")  # others'
    (folder / "profile.csv").write_text(
        "Date Joined,Username,Given Name,Family Name,Email Address,Location,Website,Bio,"
        "Pronoun,Favorite Films\n"
        '2018-01-01,someone,,,,,,,,"https://boxd.it/hTha, https://boxd.it/nope"\n',
        encoding="utf-8",
    )
    report = run("import", "letterboxd", str(folder), "--json").json()
    assert report["counts"]["likes"]["added"] == 1
    favourites = run("lists", "show", "Favourites", "--json").json()
    assert [i["id"] for i in favourites["items"]] == ["parasite-2019"] and favourites["ranked"]
    assert [e["id"] for e in run("list", "--json").json()] == ["parasite-2019"]
    doc = tmp_path / "k.json"
    run("export", "--format", "json", "-o", str(doc))
    assert '"likes"' in doc.read_text(encoding="utf-8")
    again = run("import", "kwatch", str(doc), "--json").json()
    assert again["added"] == 0 and again["counts"]["likes"]["unchanged"] == 1
    assert run("import", "letterboxd", str(folder), "--json").json()["added"] == 0


def test_ctrl_c_during_an_import_says_nothing_was_imported(run, tmp_path, db_path, monkeypatch):
    from kwatch.transfer import engine

    run("add", "Oasis")
    before = db_snapshot(db_path)

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.Importer, "finish", interrupted)
    result = run("import", "letterboxd", str(export(tmp_path)))
    assert result.exit_code != 0 and result.stdout == ""
    assert "nothing was imported" in result.stderr
    assert db_snapshot(db_path) == before


def test_list_export_output_follows_the_one_writer(run, tmp_path):
    import os
    import stat

    assert run("lists", "create", "Friday films").exit_code == 0
    assert run("lists", "add", "friday-films", "Burning").exit_code == 0
    # "-" is stdout, not a file named "-".
    dash = run("lists", "export", "friday-films", "-o", "-")
    assert dash.exit_code == 0 and dash.stdout.startswith("Letterboxd list export v7")
    assert not (Path.cwd() / "-").exists()
    # A folder (existing, or named with a trailing slash) gets LIST-ID.csv inside it.
    folder = tmp_path / "out"
    folder.mkdir()
    for target in (str(folder), str(folder) + "/"):
        result = run("lists", "export", "friday-films", "-o", target)
        assert result.exit_code == 0, result.stderr
        written = folder / "friday-films.csv"
        assert written.read_text(encoding="utf-8").startswith("Letterboxd list export v7")
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    # Never over a FIFO.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused = run("lists", "export", "friday-films", "-o", str(fifo))
    assert refused.exit_code == 1 and "not a regular file" in refused.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_letterboxd_lists_html_reads_as_text_and_goes_back_out_as_written(run, tmp_path):
    folder = export(tmp_path)
    html = LIST.replace(
        "Every winner", '"<b>Every</b> winner, <a href=""https://example.org/p"">listed</a>"'
    ).replace("The best one", "The&nbsp;best <i>one</i>")
    (folder / "lists" / "palme-dor.csv").write_text(html, encoding="utf-8")
    assert run("import", "letterboxd", str(folder)).exit_code == 0
    shown = run("lists", "show", "Palme d'Or")
    text = shown.stdout + shown.stderr
    assert "Every winner, listed (https://example.org/p)" in text
    assert "The\xa0best one" in text or "The best one" in text
    assert "<b>" not in text and "&nbsp;" not in text and "<i>" not in text
    # Kept as Letterboxd wrote it: the JSON and the list's export carry the original.
    assert "<b>Every</b>" in run("lists", "show", "Palme d'Or", "--json").json()["description"]
    run("lists", "export", "Palme d'Or", "-o", str(tmp_path / "out.csv"))
    assert "<b>Every</b>" in (tmp_path / "out.csv").read_text(encoding="utf-8")
