"""`extends:`: a scenario written as the changes to another one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from centrehold.errors import UserError
from centrehold.scenario import load_scenario
from centrehold.scenario.load import LIBRARY_DIR

IRAQ = LIBRARY_DIR / "iraq-2009"


def _same_world(a, b) -> None:
    da, db = a.model_dump(mode="json"), b.model_dump(mode="json")
    for key in ("name", "description"):
        da.pop(key), db.pop(key)
    assert da == db


def test_a_variant_is_its_base_with_its_changes_laid_over(tmp_path) -> None:
    path = tmp_path / "variant.yaml"
    path.write_text("extends: iraq-2009\nname: variant\n"
                    "intergroup: {kill_rate: 1.0e-4}\nmechanisms: {revenge: false}\n")
    variant = load_scenario(str(path))
    assert variant.name == "variant" and variant.model == "regional"
    assert variant.intergroup.kill_rate == 1e-4 and variant.mechanisms.revenge is False
    # the rest of each section comes from the base, and the record holds no `extends`
    assert variant.intergroup.threshold == 0.1 and variant.mechanisms.hardship is True
    assert "extends" not in variant.model_dump()
    _same_world(variant, load_scenario("iraq-2009", {"intergroup.kill_rate": "1e-4",
                                                     "mechanisms.revenge": "false"}))
    # --set reaches fields the variant leaves to its base, lists included
    assert load_scenario(str(path), {"forces.0.vision": "3"}).forces[0].vision == 3


def test_a_base_in_another_folder_keeps_its_own_tables(tmp_path) -> None:
    base = tmp_path / "base"
    shutil.copytree(IRAQ, base)
    table = base / "governorates.csv"
    lines = table.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("1521829", "1000000", 1)  # Anbar's population, changed
    table.write_text("".join(lines))
    (tmp_path / "child").mkdir()
    child = tmp_path / "child" / "scenario.yaml"
    child.write_text("extends: ../base/scenario.yaml\nname: child\n")
    sc = load_scenario(str(child))
    assert next(r for r in sc.regions if r.iso == "IQ-AN").population == 1_000_000
    # the built-in folder would have given the original figure
    assert next(r for r in load_scenario("iraq-2009").regions
                if r.iso == "IQ-AN").population == 1521829


@pytest.mark.parametrize(
    ("text", "words"),
    [("extends: iraq-2090\n", "field 'extends': unknown scenario 'iraq-2090'; did you mean "
                              "'iraq-2009'?"),
     ("extends: [iraq-2009]\n", "field 'extends': got ['iraq-2009']; name a built-in"),
     ("extends: epstein-1\nmodel: regional\n", "field 'model': 'regional' differs from the "
                                               "model of library/epstein-1.yaml"),
     ("extends: self.yaml\n", "the scenarios extend each other in a loop")],
)
def test_a_wrong_base_gets_one_line(tmp_path, text, words) -> None:
    path = tmp_path / "self.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as info:
        load_scenario(str(path))
    assert words in str(info.value) and "\n" not in str(info.value), str(info.value)
    assert "self.yaml" in str(info.value)


def test_a_chain_of_bases(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("extends: iraq-2009\nname: a\nforce_scale: 0.5\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\npeople_per_agent: 5000\n")
    b = load_scenario(str(Path(tmp_path / "b.yaml")))
    assert (b.name, b.force_scale, b.people_per_agent) == ("b", 0.5, 5000)
