"""Intake pages: the form beside the body map, recording an intake, a bad form shown again with everything
kept, the suggestions page (ranked muscles with their zones, red flags first as a banner that blocks treatment
until a decision is recorded), and the role and clinic boundaries of every page."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from taut.clinic.errors import TreatmentBlocked
from taut.knowledge.screening import safety_screen
from taut.services import charts, clients, sessions
from taut.web.assets import asset_url
from taut.web.intake.vocab import caution_questions
from tests.records_factories import make_client
from tests.web.conftest import Browser, WebWorld, signed_in

DRAWING = [
    {"region": "head.temple", "side": "right", "intensity": 6, "qualities": ["aching"]},
    {"region": "neck.posterior_upper", "side": "right", "intensity": 5},
]


def new_client(world: WebWorld) -> int:
    saved = clients.register_client(world.db, world.bob, make_client())
    assert saved.id is not None
    return saved.id


def full_form(csrf: str, *, yes: tuple[str, ...] = (), **over: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "recorded_on": "2025-03-03",
        "chief_complaint": "Right-sided headaches at the end of the working day",
        "onset": "gradual",
        "began_on": "2024-11-01",
        "duration_value": "17",
        "duration_unit": "weeks",
        "pain_drawing": json.dumps(DRAWING),
        "symptoms": ["headache", "stiffness"],
        "aggravators": ["prolonged sitting", "turning the head"],
        "mechanisms": ["desk work"],
        "history": "No previous neck injury.",
        "medications": "ibuprofen 400 mg as needed\n\n  magnesium  \n",
        "posture": "forward head",
        "work": "accountant, 9 hours at a laptop",
        "sleep_hours": "6.5",
        "medication_effects": "none known",
        "stress": "deadline at work",
        "stress_level": "7",
    }
    for q in caution_questions():
        form["screen__" + q.term] = "yes" if q.term in yes else "no"
    for sq in safety_screen().questions:
        form["answer__" + sq.id] = "yes" if sq.id in yes else "no"
    form.update(over)
    return form


def record(c: Browser, cid: int, **over: Any) -> int:
    r = c.post(f"/clients/{cid}/intake/new", data=full_form(c.csrf, **over))
    assert r.status_code == 303, r.text[:2000]
    m = re.fullmatch(rf"/clients/{cid}/intake/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


def ranked(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'class="rank-name">([^<]+)<', page)]


def test_the_form_renders_beside_the_body_map(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    page = c.get(f"/clients/{cid}/intake/new")
    assert page.status_code == 200
    text = page.text
    assert 'class="bodymap bodymap--paint"' in text and 'name="pain_drawing"' in text
    assert (
        asset_url("js/bodymap.js") in text and asset_url("js/intake.js") in text
    )  # versioned, cached a year
    assert 'data-suggest-url="/api/v1/suggest"' in text and 'data-age="' in text
    assert 'name="recorded_on" type="date" value="' in text
    # vocabulary checkboxes with their meaning as help text; the safety screen by group, then the cautions
    assert 'name="symptoms" value="tingling"' in text and "pins and needles, paraesthesia" in text
    assert 'name="aggravators" value="turning the head"' in text
    assert 'name="mechanisms" value="whiplash"' in text
    for q in caution_questions():
        assert f'name="screen__{q.term}" value="yes"' in text
    for sq in safety_screen().questions:
        for answer in ("yes", "no", "unsure"):
            assert f'name="answer__{sq.id}" value="{answer}"' in text
        assert html.escape(sq.ask, quote=False) in text
    assert 'name="screen__fever"' not in text  # asked once, by the safety screen
    assert text.index('name="answer__saddle_numbness"') < text.index('name="screen__anticoagulants"')
    for group in safety_screen().groups:
        assert f'id="sg-{group.id}"' in text
    assert 'name="duration_value"' in text and 'name="duration_unit"' in text
    for name in ("posture", "gait", "hydration", "sleep_hours", "stress_level", "medications", "history"):
        assert f'name="{name}"' in text, name
    # CSP: no inline code or styles
    assert "<script>" not in text and "onclick=" not in text and 'style="' not in text


def test_a_full_form_records_the_intake(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = record(c, cid, yes=("anticoagulants",))
    chart = charts.load_chart(web_world.db, web_world.bob, cid)
    assert [i.id for i in chart.intakes] == [iid]
    intake = chart.intakes[0]
    assert intake.pain_drawing.to_list() == DRAWING
    assert intake.chief_complaint.startswith("Right-sided headaches")
    assert intake.onset == "gradual" and intake.duration_days == 17 * 7 and intake.duration_weeks is None
    assert intake.began_on is not None and intake.began_on.isoformat() == "2024-11-01"
    assert intake.symptoms == ("headache", "stiffness") and intake.mechanisms == ("desk work",)
    assert intake.aggravators == ("prolonged sitting", "turning the head")
    assert intake.medications == ("ibuprofen 400 mg as needed", "magnesium")
    assert len(intake.screening) == len(caution_questions())
    assert {a.term for a in intake.screening if a.present} == {"anticoagulants"}
    assert [a.question for a in intake.answers] == list(safety_screen().ids())
    assert {a.answer for a in intake.answers} == {"no"}
    f = intake.factors
    assert f.biomechanical.posture == "forward head" and f.biochemical.sleep_hours == 6.5
    assert f.biochemical.medications == "none known"
    assert f.psychosocial.stress_level == 7 and f.psychosocial.stress == "deadline at work"


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"pain_drawing": "[]"}, "pain_drawing", "paint at least one region"),
        ({"pain_drawing": "{not json"}, "pain_drawing", "could not be read"),
        (
            {"pain_drawing": json.dumps([{"region": "head.nowhere", "side": "right"}])},
            "pain_drawing",
            "unknown region id",
        ),
        ({"symptoms": ["headache", "flying carpets"]}, "symptoms", "flying carpets"),
        ({"recorded_on": "2025-13-45"}, "recorded_on", "must be a date like"),
        ({"began_on": "2025-04-01"}, "began_on", "intake date"),
        ({"chief_complaint": "  "}, "chief_complaint", "is required"),
        ({"stress_level": "11"}, "stress_level", "between 0 and 10"),
        ({"sleep_hours": "lots"}, "sleep_hours", "number of hours"),
        ({"screen__pregnancy": "maybe"}, "screening", "yes or no"),
        ({"answer__weight_loss": "maybe"}, "answers", "yes, no or unsure"),
        ({"duration_value": "-3"}, "duration_value", "between 0 and"),
        ({"duration_unit": "fortnights"}, "duration_value", "the unit must be one of"),
        ({"symptoms": ["headache", "dizziness"]}, "answers", "already records dizziness"),
        ({"mechanisms": ["whiplash"]}, "answers", "car accident"),
        ({"onset": "yesterday"}, "onset", "must be one of"),
    ],
)
def test_a_bad_form_comes_back_with_the_error_and_everything_kept(
    web_world: WebWorld, over: dict[str, Any], field: str, message: str
) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    form = full_form(c.csrf, yes=("fever",), **over)
    r = c.post(f"/clients/{cid}/intake/new", data=form)
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert 'id="form-error"' in r.text and message in text, text[:3000]
    assert f"{field.replace('_', ' ')}</a>: " in text  # the summary links to the field
    # everything typed, ticked and painted is still there
    if field != "chief_complaint":
        assert "Right-sided headaches at the end of the working day</textarea>" in text
    assert re.search(r'value="headache" checked', r.text)
    if field != "answers" or "whiplash" not in str(over):
        assert re.search(r'value="desk work" checked', r.text)
    assert re.search(r'name="answer__fever" value="yes" checked', r.text)
    assert re.search(r'name="answer__vision_loss" value="no" checked', r.text)
    assert re.search(r'name="screen__pregnancy" value="(yes|no)"', r.text)
    assert 'value="forward head"' in r.text and "magnesium" in text
    if field != "pain_drawing":
        assert re.search(r"name=\"pain_drawing\" value='\[[^']*head\.temple", r.text)
    assert charts.load_chart(web_world.db, web_world.bob, cid).intakes == ()


def test_every_screening_question_must_be_answered(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    form = full_form(c.csrf)
    del form["answer__fever"], form["answer__smoker"]
    r = c.post(f"/clients/{cid}/intake/new", data=form)
    text = html.unescape(r.text)
    assert r.status_code == 422 and "yes, no or unsure (not answered:" in text
    assert safety_screen().question("fever").ask in text and "and 1 more" in text
    form = full_form(c.csrf)
    del form["screen__pregnancy"]
    r = c.post(f"/clients/{cid}/intake/new", data=form)
    assert r.status_code == 422 and "not answered: pregnancy" in r.text


def test_saddle_numbness_painted_cannot_be_answered_no(web_world: WebWorld) -> None:
    """The issue's case: numbness painted over the perineum and both inner thighs; a "no" to saddle numbness
    (as "Answer No to the rest" used to give) is refused naming the question, and nothing is saved."""
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    saddle = [
        {"region": "pelvis.perineum", "intensity": 3, "qualities": ["numbness"]},
        {"region": "thigh.medial", "side": "left", "intensity": 3, "qualities": ["numbness"]},
        {"region": "thigh.medial", "side": "right", "intensity": 3, "qualities": ["numbness"]},
    ]
    form = full_form(
        c.csrf, pain_drawing=json.dumps(saddle), chief_complaint="numb between the legs since yesterday"
    )
    r = c.post(f"/clients/{cid}/intake/new", data=form)
    text = html.unescape(r.text)
    assert r.status_code == 422
    assert safety_screen().question("saddle_numbness").ask in text and "perineum" in text
    assert charts.load_chart(web_world.db, web_world.bob, cid).intakes == ()
    # the form marks the question for the browser: "no" contradicted by numbness in these regions
    row = re.search(r'data-screen="saddle_numbness"[^>]*data-contra="([^"]+)"', r.text)
    assert row and "pelvis.perineum" in html.unescape(row.group(1))
    # "unsure" is accepted and stays open for the therapist; "yes" raises the emergency flag
    iid = record(
        c,
        cid,
        pain_drawing=json.dumps(saddle),
        answer__saddle_numbness="yes",
        answer__bladder_bowel="unsure",
        onset="sudden",
    )
    page = html.unescape(c.get(f"/clients/{cid}/intake/{iid}").text)
    open_part = page.split("Open (unsure, not ruled out):", 1)[1]
    assert safety_screen().question("bladder_bowel").ask in open_part.split("</ul>", 1)[0]
    assert "Emergency: call emergency services now" in page and "Possible cauda equina syndrome" in page


def test_the_suggestions_rank_upper_trapezius_for_temple_and_upper_neck(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = record(c, cid)
    page = c.get(f"/clients/{cid}/intake/{iid}")
    assert page.status_code == 200
    names = ranked(page.text)
    assert "Upper trapezius" in names[:3], names
    assert 'class="bodymap bodymap--view"' in page.text  # the saved drawing, read-only
    # each ranked muscle carries its referral zones for the overlay, and its reasons in words
    item = re.search(r"<li class=\"rank\" data-zones='([^']+)' data-muscle=\"upper_trapezius\"", page.text)
    assert item, "no upper trapezius item with zones"
    zones = json.loads(html.unescape(item.group(1)))
    assert "head.temple:right" in zones["essential"] and zones["trps"]
    text = html.unescape(page.text)
    assert "Explains Temple (right)" in text and "essential zone of TrP1" in text
    assert "Fits the symptom headache." in text or "Fits the symptoms headache" in text
    assert "Examination order" in text
    exam = re.search(r'href="/clients/\d+/exam/new\?muscles=([a-z_,]+)"', page.text)
    assert exam and "upper_trapezius" in exam.group(1).split(",")
    assert f'href="/clients/{cid}/sessions/new"' in page.text  # no red flag: the session may start
    assert 'role="alert"' not in page.text
    assert "What the client told" in text and f"No to {len(safety_screen().ids())} questions." in text
    assert f"No to {len(caution_questions())} other questions." in text


def test_a_red_flag_blocks_the_session_until_a_decision_is_recorded(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = record(c, cid, yes=("fever", "anticoagulants"))
    page = c.get(f"/clients/{cid}/intake/{iid}")
    text = html.unescape(page.text)
    banner = text.index('role="alert"')
    assert banner < text.index('class="ranking"'), "red flags come first"
    assert "Fever with pain" in text and "Refer urgently" in text and "Because:</strong> fever" in text
    assert 'aria-disabled="true"' in page.text and f'href="/clients/{cid}/sessions/new"' not in page.text
    assert "Anticoagulant medication" in text  # cautions listed too
    with pytest.raises(TreatmentBlocked):
        sessions.start_session(web_world.db, web_world.bob, cid, pain_before=5)

    url = f"/clients/{cid}/intake/{iid}/decision"
    base = {"csrf_token": c.csrf, "flags": "meningitis_or_infection"}
    r = c.post(url, data={**base, "decision": "override", "reason": "   "})
    assert r.status_code == 422 and "reason:" in r.text and "may not be blank" in r.text
    assert 'value="override" checked' in r.text
    r = c.post(url, data={**base, "decision": "referred", "reason": "febrile, stiff neck"})
    assert r.status_code == 422 and "referred to:" in r.text
    assert "febrile, stiff neck</textarea>" in r.text  # what was typed stays
    r = c.post(url, data={**base, "decision": "", "reason": "x"})
    assert r.status_code == 422 and "decision:" in r.text
    r = c.post(url, data={**base, "flags": "made_up_flag", "decision": "override", "reason": "x"})
    assert r.status_code == 422 and "made_up_flag" in r.text
    with pytest.raises(TreatmentBlocked):
        sessions.start_session(web_world.db, web_world.bob, cid, pain_before=5)

    r = c.post(
        url,
        data={
            **base,
            "decision": "referred",
            "referred_to": "General practitioner",
            "reason": "Fever 38.4 with headache; seen by the GP the same day, infection ruled out",
        },
    )
    assert r.status_code == 303
    page = c.get(f"/clients/{cid}/intake/{iid}")
    assert 'role="alert"' not in page.text.split('id="clearance"')[0]
    assert "Red-flag decisions recorded" in page.text and "Referred to General practitioner" in page.text
    assert "Bob Brandt" in page.text
    # referred: still blocked until medical clearance is recorded
    assert "Waiting for medical clearance" in page.text and 'id="clearance-form"' in page.text
    assert f'href="/clients/{cid}/sessions/new"' not in page.text
    letter = re.search(rf'href="(/clients/{cid}/intake/{iid}/referral/\d+\.pdf)"', page.text)
    assert letter, "no referral letter link"
    pdf = c.get(letter.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with pytest.raises(TreatmentBlocked, match="medical clearance"):
        sessions.start_session(web_world.db, web_world.bob, cid, pain_before=5)
    chart_page = html.unescape(c.get(f"/clients/{cid}").text)
    assert "Treatment blocked: red flags of the latest intake" in chart_page
    assert "referred: treatment blocked until medical clearance" in chart_page
    start = c.get(f"/clients/{cid}/sessions/new")
    assert "Treatment is blocked until medical clearance" in start.text

    clear = f"/clients/{cid}/intake/{iid}/clearance"
    done = {"csrf_token": c.csrf, "cleared_by": "Dr A. Meier", "cleared_on": "2025-03-04"}
    r = c.post(clear, data={**done, "scope": " "})
    assert r.status_code == 422 and "scope: is required" in html.unescape(r.text)
    assert 'value="Dr A. Meier"' in r.text  # what was typed stays
    r = c.post(clear, data={**done, "cleared_on": "2999-01-01", "scope": "massage"})
    assert r.status_code == 422 and "cleared on" in r.text
    r = c.post(clear, data={**done, "scope": "soft-tissue treatment, light pressure"})
    assert r.status_code == 303
    shown = html.unescape(c.get(f"/clients/{cid}/intake/{iid}").text)
    assert (
        "Medical clearance</strong> by Dr A. Meier" in shown and "Waiting for medical clearance" not in shown
    )
    assert f'href="/clients/{cid}/sessions/new"' in shown
    chart_page = html.unescape(c.get(f"/clients/{cid}").text)
    assert "Medical clearance by Dr A. Meier" in chart_page and "medical clearance recorded" in chart_page
    assert "Treatment blocked" not in chart_page
    sid = sessions.start_session(web_world.db, web_world.bob, cid, pain_before=5)
    assert sid > 0


def test_an_override_after_a_referral_needs_a_reason_and_lifts_the_block(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = record(c, cid, yes=("fever",))
    url = f"/clients/{cid}/intake/{iid}/decision"
    base = {"csrf_token": c.csrf, "flags": "meningitis_or_infection"}
    r = c.post(url, data={**base, "decision": "referred", "referred_to": "GP", "reason": "fever 38.5"})
    assert r.status_code == 303
    page = c.get(f"/clients/{cid}/intake/{iid}").text
    assert 'id="override-form"' in page
    r = c.post(url, data={**base, "decision": "override", "reason": ""})
    assert r.status_code == 422
    with pytest.raises(TreatmentBlocked):
        sessions.start_session(web_world.db, web_world.bob, cid, pain_before=5)
    r = c.post(url, data={**base, "decision": "override", "reason": "GP phoned: viral, afebrile today"})
    assert r.status_code == 303
    assert sessions.start_session(web_world.db, web_world.bob, cid, pain_before=5) > 0
    chart = charts.load_chart(web_world.db, web_world.bob, cid)
    assert [d.decision for d in chart.decisions] == ["referred", "override"]
    chart_page = html.unescape(c.get(f"/clients/{cid}").text)
    assert "Red flag overridden (treated without medical clearance)" in chart_page
    assert "overridden with a reason" in chart_page and "Reason: GP phoned: viral" in chart_page


def test_front_desk_gets_403_on_every_intake_page(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    iid = record(signed_in(web_world.app, web_world.bob), cid, yes=("fever",))
    c = signed_in(web_world.app, web_world.fran)
    assert c.get(f"/clients/{cid}/intake/new").status_code == 403
    assert c.post(f"/clients/{cid}/intake/new", data=full_form(c.csrf)).status_code == 403
    assert c.get(f"/clients/{cid}/intake/{iid}").status_code == 403
    r = c.post(
        f"/clients/{cid}/intake/{iid}/decision",
        data={"csrf_token": c.csrf, "decision": "override", "reason": "x"},
    )
    assert r.status_code == 403
    r = c.post(
        f"/clients/{cid}/intake/{iid}/clearance",
        data={"csrf_token": c.csrf, "cleared_by": "Dr X", "cleared_on": "2025-03-03", "scope": "all"},
    )
    assert r.status_code == 403
    assert charts.load_chart(web_world.db, web_world.bob, cid).decisions == ()


def test_another_clinic_gets_404_for_every_intake_url(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    bob = signed_in(web_world.app, web_world.bob)
    iid = record(bob, cid, yes=("fever",))
    other = new_client(web_world)
    c = signed_in(web_world.app, web_world.carol)
    assert c.get(f"/clients/{cid}/intake/new").status_code == 404
    assert c.post(f"/clients/{cid}/intake/new", data=full_form(c.csrf)).status_code == 404
    assert c.get(f"/clients/{cid}/intake/{iid}").status_code == 404
    decision = {
        "csrf_token": c.csrf,
        "decision": "override",
        "reason": "x",
        "flags": "meningitis_or_infection",
    }
    assert c.post(f"/clients/{cid}/intake/{iid}/decision", data=decision).status_code == 404
    # within clinic A, an intake under another client's address is not found either
    assert bob.get(f"/clients/{other}/intake/{iid}").status_code == 404
    decision["csrf_token"] = bob.csrf
    assert bob.post(f"/clients/{other}/intake/{iid}/decision", data=decision).status_code == 404
    assert charts.load_chart(web_world.db, web_world.bob, cid).decisions == ()


def test_pages_need_a_login(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, None)
    r = c.get(f"/clients/{cid}/intake/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
