"""Inventory reads (Client, Instance, Subclient, CommServ, GetId) and inventory replacement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commvault_emulator.process import EmulatorError, EmulatorProcess
from emulator_support import TIMEOUT_S, api_session, association, backup_body, create, summary

MISSING = -32000


def _get(emulator: EmulatorProcess, path: str, status: int = 200) -> Any:
    response = api_session().get(f"{emulator.url}/{path}", timeout=TIMEOUT_S)
    assert response.status_code == status, response.text
    return response.json()


def test_get_client_lists_every_client_entity(emulator: EmulatorProcess) -> None:
    answer = _get(emulator, "Client")
    entities = [p["client"]["clientEntity"] for p in answer["clientProperties"]]
    assert [e["clientName"] for e in entities] == ["oradb01", "oradb02", "filesrv01"]
    assert entities[0] == {
        "clientId": 2,
        "clientName": "oradb01",
        "hostName": "oradb01.example.com",
        "displayName": "oradb01",
    }


def test_get_client_by_id_answers_its_properties(emulator: EmulatorProcess) -> None:
    (props,) = _get(emulator, "Client/3")["clientProperties"]
    assert props["client"]["clientEntity"]["clientName"] == "oradb02"
    assert "activityControl" in props["clientProps"]


def test_get_unknown_client_answers_404(emulator: EmulatorProcess) -> None:
    assert "errorMessage" in _get(emulator, "Client/999", status=404)


def test_get_instances_of_a_client(emulator: EmulatorProcess) -> None:
    (props,) = _get(emulator, "Instance?clientId=2")["instanceProperties"]
    assert props["instance"] == {
        "clientName": "oradb01",
        "clientId": 2,
        "instanceName": "ORCL",
        "instanceId": 11,
        "appName": "Oracle",
        "applicationId": 22,
    }
    assert _get(emulator, "Instance/13")["instanceProperties"][0]["instance"]["appName"] == (
        "File System"
    )


def test_get_oracle_subclients_of_a_client(emulator: EmulatorProcess) -> None:
    answer = _get(emulator, "Subclient?clientId=2&applicationId=22&propertyLevel=20")
    props = answer["subClientProperties"]
    assert [p["subClientEntity"]["subclientName"] for p in props] == ["default", "archivelog"]
    assert [p["commonProperties"]["isDefaultSubclient"] for p in props] == [True, False]
    assert props[0]["subClientEntity"]["backupsetName"] == "default"
    assert _get(emulator, "Subclient?clientId=4&applicationId=22") == {"subClientProperties": []}


def test_get_subclient_by_id(emulator: EmulatorProcess) -> None:
    (props,) = _get(emulator, "Subclient/103")["subClientProperties"]
    assert props["subClientEntity"]["clientName"] == "oradb02"
    _get(emulator, "Subclient/5", status=404)


def test_get_commserv_answers_what_cvpysdk_reads(emulator: EmulatorProcess) -> None:
    answer = _get(emulator, "CommServ")
    assert {"commCellName", "commCellId", "csGUID"} <= set(answer["commcell"])
    assert {"hostName", "csTimeZone", "currentSPVersion", "csVersionInfo", "timeZone"} <= set(
        answer
    )


def test_get_id_resolves_names_to_ids(emulator: EmulatorProcess) -> None:
    answer = _get(
        emulator,
        "GetId?clientName=ORADB01&agent=Oracle&instanceName=orcl&backupset=default"
        "&subclient=archivelog",
    )
    assert answer == {
        "clientId": 2,
        "applicationId": 22,
        "instanceId": 11,
        "backupsetId": 21,
        "subclientId": 102,
    }


@pytest.mark.parametrize(
    ("query", "missing"),
    [
        ("clientName=ghost&agent=Oracle&instanceName=ORCL&subclient=default",
         {"clientId", "instanceId", "backupsetId", "subclientId"}),
        ("clientName=oradb01&agent=Oracle&instanceName=NOPE&subclient=default",
         {"instanceId", "backupsetId", "subclientId"}),
        ("clientName=oradb01&agent=Oracle&instanceName=ORCL&subclient=weekly", {"subclientId"}),
        ("clientName=filesrv01&agent=Oracle&instanceName=DefaultInstanceName&subclient=default",
         {"instanceId", "backupsetId", "subclientId"}),
    ],
)  # fmt: skip
def test_get_id_answers_404_with_minus_32000_for_each_missing_id(
    emulator: EmulatorProcess, query: str, missing: set[str]
) -> None:
    answer = _get(emulator, f"GetId?{query}", status=404)
    assert {key for key, value in answer.items() if value == MISSING} == missing


NEW_INVENTORY = {
    "clients": [
        {
            "name": "erpdb",
            "hostName": "erpdb.corp",
            "instances": [
                {"name": "ERP", "subclients": [{"name": "default"}, {"name": "logs", "id": 900}]}
            ],
        }
    ]
}


def test_put_inventory_replaces_it_and_assigns_missing_ids(emulator: EmulatorProcess) -> None:
    answer = emulator.control.set_inventory(NEW_INVENTORY)
    (client,) = answer["clients"]
    assert isinstance(client["id"], int)
    (instance,) = client["instances"]
    assert instance["applicationId"] == 22
    assert [s["id"] for s in instance["subclients"]][1] == 900
    assert len({s["id"] for s in instance["subclients"]}) == 2
    assert emulator.control.inventory() == answer
    job_id = create(emulator, backup_body(association("ERPDB", "erp", "LOGS")))["jobIds"][0]
    assert summary(emulator, job_id)["subclient"]["subclientId"] == 900
    assert "Client [oradb01] not found" in create(emulator, backup_body())["errorMessage"]


def test_reset_restores_the_start_inventory(emulator: EmulatorProcess) -> None:
    emulator.control.set_inventory(NEW_INVENTORY)
    emulator.control.reset()
    names = [c["name"] for c in emulator.control.inventory()["clients"]]
    assert names == ["oradb01", "oradb02", "filesrv01"]


@pytest.mark.parametrize(
    ("inventory", "message"),
    [
        ({"clients": [{"instances": []}]}, "name must be a non-empty string"),
        ({"clients": [{"name": "a", "id": 5}, {"name": "b", "id": 5}]}, "duplicate client id 5"),
        ({"clients": [{"name": "a"}, {"name": "A"}]}, "duplicate client name"),
        ({"clients": "oradb01"}, "expected a JSON array"),
    ],
)
def test_put_invalid_inventory_is_refused_with_the_reason(
    emulator: EmulatorProcess, inventory: dict[str, Any], message: str
) -> None:
    with pytest.raises(EmulatorError, match=message):
        emulator.control.set_inventory(inventory)
    assert len(emulator.control.inventory()["clients"]) == 3


def test_inventory_file_is_served_and_restored_by_reset(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(NEW_INVENTORY))
    with EmulatorProcess(inventory=path, token="k") as process:
        response = api_session("k").get(f"{process.url}/Client", timeout=TIMEOUT_S)
        names = [
            p["client"]["clientEntity"]["clientName"] for p in response.json()["clientProperties"]
        ]
        assert names == ["erpdb"]
        process.control.set_inventory({"clients": []})
        process.control.reset()
        assert process.control.inventory()["clients"][0]["name"] == "erpdb"


def test_bad_inventory_file_fails_startup_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(EmulatorError, match=r"broken\.json"):
        EmulatorProcess(inventory=path).start()
