"""private_metadata codec: a small reference that survives Slack and rejects junk."""

import pytest

from care_bot.views.metadata import PRIVATE_METADATA_LIMIT, ModalRef, decode, encode

OVERHEAD = len('{"draft_id":""}')


@pytest.mark.parametrize(
    "ref",
    [
        ModalRef(draft_id="0f3c9a", step="client_service"),
        ModalRef(incident_id=42),
        ModalRef(draft_id="0f3c9a", step="review", incident_id=7),
        ModalRef(),
    ],
)
def test_metadata_round_trips(ref):
    assert decode(encode(ref)) == ref


def test_metadata_encode_is_compact_and_omits_empty_fields():
    assert encode(ModalRef()) == "{}"
    assert encode(ModalRef(draft_id="d1", step="safety")) == '{"draft_id":"d1","step":"safety"}'
    assert encode(ModalRef(incident_id=3)) == '{"incident_id":3}'


@pytest.mark.parametrize("text", [None, "", "{", "not json", "[1, 2]", "null", '"draft"', "3"])
def test_metadata_decode_of_broken_metadata_is_an_empty_ref(text):
    assert decode(text) == ModalRef()


def test_metadata_decode_ignores_unknown_keys_and_coerces_types():
    ref = decode('{"draft_id": 5, "step": "assess", "incident_id": "12", "extra": true}')

    assert ref == ModalRef(draft_id="5", step="assess", incident_id=12)


@pytest.mark.parametrize("text", ['{"incident_id": "abc"}', '{"incident_id": [1]}'])
def test_metadata_decode_of_bad_incident_id_is_an_empty_ref(text):
    assert decode(text) == ModalRef()


def test_metadata_encode_accepts_exactly_the_limit():
    ref = ModalRef(draft_id="x" * (PRIVATE_METADATA_LIMIT - OVERHEAD))

    assert len(encode(ref)) == PRIVATE_METADATA_LIMIT


def test_metadata_encode_rejects_over_long_metadata():
    ref = ModalRef(draft_id="x" * (PRIVATE_METADATA_LIMIT - OVERHEAD + 1))

    with pytest.raises(ValueError, match="private_metadata would exceed Slack's limit"):
        encode(ref)
