"""The coach state machine on synthetic analysis streams (no model, no video)."""

from __future__ import annotations

import pytest
from routine_synth import Seg, run, stream

from massagecam.coach import Coach, Phase
from massagecam.errors import ConfigError
from massagecam.routines import load_routine, parse_routine

HEAD = '[routine]\nid = "t"\ntitle = "T"\nreceiving = "{recv}"\n'


def routine(*steps: str, recv: str = "left"):
    body = "".join(f"[[step]]\n{s}\ninstruction = \"Do it.\"\n" for s in steps)
    return parse_routine(HEAD.format(recv=recv) + body, "test.toml")


LI4_20 = 'target = "LI4"\ntechnique = "circles"\nduration_s = 20\nrhythm_hz = [0.8, 1.2]'


def test_phases_and_guidance_through_a_routine() -> None:
    r = routine(LI4_20, 'target = "LI3"\ntechnique = "hold"\nduration_s = 5')
    frames = stream(Seg(2, hands=False), Seg(2, zones=("LI3",), nearest="LI3"),
                    Seg(21), Seg(2, contact=False), Seg(8, zones=("LI3",), nearest="LI3",
                                                        tech="hold", freq=None), fps=10)
    coach, states, score = run(r, frames)
    phases = [s.phase for s in states]
    order = list(dict.fromkeys(phases))
    assert order == [Phase.WAITING_FOR_HANDS, Phase.FIND_TARGET, Phase.PERFORM,
                     Phase.STEP_COMPLETE, Phase.DONE]
    words = {s.guidance for s in states}
    assert {"show both hands", "move towards LI4", "good: keep going", "step complete",
            "routine complete"} <= words
    first_complete = next(s for s in states if s.phase is Phase.STEP_COMPLETE)
    assert first_complete.step_index == 0 and first_complete.progress == 1.0
    assert 3.85 <= first_complete.t - 20 <= 4.2  # 2 s waiting + 2 s off target, then 20 s
    assert states[-1].step_index == 2 and score.score >= 95


def test_timer_bridges_short_dropouts_only() -> None:
    r = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 60')
    short = []
    for _ in range(12):  # 12 × (4.7 s on + 0.3 s contact lost)
        short += [Seg(4.7), Seg(0.3, touching=False)]
    _, states, _ = run(r, stream(*short, fps=10))
    assert max(s.elapsed_s for s in states) >= 59.5
    long = []
    for _ in range(10):  # 10 × (5 s on + 1 s lost): the lost seconds do not count
        long += [Seg(5), Seg(1, touching=False)]
    _, states, score = run(r, stream(*long, fps=10))
    assert 48 <= states[-1].elapsed_s <= 51
    assert states[-1].phase is Phase.PERFORM


def test_lifted_returns_between_passes_count_in_a_stroke_step_only() -> None:
    # 0.7-s pulls with 0.8-s lifted returns: the returns are part of a pull step's time, but a
    # 0.8-s lift in a circles step is a break
    pull = routine('target = "Z2"\nside = "palm"\ntechnique = "finger_pull"\nduration_s = 60')
    segs = []
    for _ in range(10):
        segs += [Seg(0.7, tech="finger_pull", side="palm", zones=("Z2",), nearest=None, freq=None),
                 Seg(0.8, touching=False, tech="finger_pull", side="palm", zones=("Z2",),
                     nearest=None, freq=None)]
    _, states, _ = run(pull, stream(*segs, fps=10))
    assert states[-1].elapsed_s >= 13.5  # 10 pulls and 9 returns: 14.2 s
    circles = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 60')
    segs = []
    for _ in range(10):
        segs += [Seg(0.7), Seg(0.8, touching=False)]
    _, states, _ = run(circles, stream(*segs, fps=10))
    assert states[-1].elapsed_s <= 7.5  # the 0.8-s lifts are not counted


def test_guidance_words_for_mistakes() -> None:
    r = routine(LI4_20)
    cases = {
        "slower": Seg(3, freq=2.0), "faster": Seg(3, freq=0.4),
        "press": Seg(3, touching=False), "make small circles": Seg(3, tech="hold", freq=None),
        "switch hands: massage the left hand": Seg(3, receiver="Right"),
        "turn the hand over: back up": Seg(3, side="palm"),
        "show both hands": Seg(3, hands=False),
    }
    for word, seg in cases.items():
        _, states, _ = run(r, stream(seg, fps=10))
        assert states[-1].guidance == word, (word, states[-1].guidance)
    _, states, _ = run(r, stream(Seg(3), Seg(3, zones=("LI3",), nearest="LI3"), fps=10))
    assert states[-1].guidance == "back into the zone"


def test_stroke_reps_count_glides() -> None:
    r = routine('target = "D5"\ntechnique = "stroke"\nreps = 3\nspeed_cm_s = [1, 10]',
                'target = "LI4"\ntechnique = "hold"\nduration_s = 2')
    glide = Seg(1.2, zones=("D5",), nearest="LI4", dist=0.4, tech="stroke", freq=None,
                speed=4.0, direction="distal")
    lift = Seg(0.6, contact=False)
    coach, states, score = run(r, stream(glide, lift, glide, lift, glide, lift, fps=20))
    assert coach.tallies[0].reps == 3
    assert any(s.phase is Phase.STEP_COMPLETE and s.step_index == 0 for s in states)
    # back-and-forth strokes without lifting: each direction change is one glide
    back = Seg(1.0, zones=("D5",), tech="stroke", freq=None, speed=4.0, direction="proximal")
    coach, _, _ = run(r, stream(glide, back, glide, fps=20))
    assert coach.tallies[0].reps == 3


def test_circle_reps_count_cycles() -> None:
    r = routine('target = "LI4"\ntechnique = "circles"\nreps = 10')
    coach, states, _ = run(r, stream(Seg(8, freq=1.0), fps=20))
    assert states[-1].reps == 7 and states[-1].phase is Phase.PERFORM
    coach, states, _ = run(r, stream(Seg(11, freq=1.0), fps=20))
    assert any(s.phase is Phase.STEP_COMPLETE for s in states)


def test_next_previous_pause() -> None:
    r = routine(LI4_20, 'target = "LI3"\ntechnique = "hold"\nduration_s = 5')
    coach = Coach(r)
    frames = stream(Seg(10), fps=10)
    for f in frames[:50]:
        coach.update(f)
    coach.pause()
    paused = [coach.update(f) for f in frames[50:80]]
    assert all(s.phase is Phase.PAUSED and s.guidance == "paused" for s in paused)
    assert paused[-1].elapsed_s == pytest.approx(4.9, abs=0.15)
    coach.resume()
    assert coach.update(frames[80]).elapsed_s > paused[-1].elapsed_s
    coach.next()
    assert coach.step_index == 1
    coach.previous()
    assert coach.step_index == 0 and coach.tallies[0].elapsed_s == 0.0
    coach.next()
    coach.next()
    assert coach.phase is Phase.DONE
    assert coach.update(frames[-1]).guidance == "routine complete"


def test_follows_user_to_next_target_and_either_hand_latches() -> None:
    r = load_routine("li4-headache")
    frames = stream(Seg(100, receiver="Right"), Seg(10, receiver="Left"), fps=5)
    coach, states, score = run(r, frames)
    assert coach.first_hand == "Right"
    assert states[-1].step_index == 1 and states[-1].expected_hand == "Left"
    assert states[-1].on_target
    assert score.steps[0].measured["elapsed_s"] == pytest.approx(100, abs=0.5)


def test_two_hand_steps_in_caregiver_mode() -> None:
    r = routine('target = "Z8"\ntechnique = "stroke"\nduration_s = 5\nhands = 2')
    one = stream(Seg(6, side="palm", zones=("Z8",), nearest="PC8", tech="stroke"), fps=10)
    two = stream(Seg(6, side="palm", zones=("Z8",), nearest="PC8", tech="stroke", givers=2),
                 fps=10)
    _, states, score = run(r, one, mode="caregiver")
    assert not any(s.on_target for s in states) and states[-1].guidance == "use both hands"
    assert "this step needs both hands" in score.feedback
    _, states, _ = run(r, two, mode="caregiver")
    assert any(s.phase is Phase.STEP_COMPLETE for s in states)
    _, states, _ = run(r, one, mode="self")  # self mode: one thumb does the two-hand stroke
    assert any(s.phase is Phase.STEP_COMPLETE for s in states)


def test_tolerance_override_tightens_the_point() -> None:
    r = routine(LI4_20 + "\ntolerance_l = 0.05")
    _, states, _ = run(r, stream(Seg(3, dist=0.09), fps=10))
    assert not states[-1].on_target
    _, states, _ = run(r, stream(Seg(3, dist=0.03), fps=10))
    assert states[-1].on_target


def test_config_checked() -> None:
    r = routine(LI4_20)
    with pytest.raises(ConfigError, match="mode='both'"):
        Coach(r, mode="both")
    with pytest.raises(ConfigError, match="dropout_s=-1"):
        Coach(r, dropout_s=-1)


def test_direction_words_with_the_real_atlas() -> None:
    atlas_mod = pytest.importorskip("massagecam.atlas")
    from massagecam.hands import Landmark, Role, to_palm_frame
    from massagecam.results import Contact, FrameAnalysis, Side, TechniqueEstimate
    from massagecam.synthetic import make_hand, make_hands

    atlas = atlas_mod.load_atlas()
    rec = make_hand((320, 260), 120, 30, "Left", "back")
    giver = make_hand((330, 150), 110, 180, "Right", "palm")
    hands = make_hands(rec, giver, handedness=["Left", "Right"],
                       roles=[Role.RECEIVER, Role.GIVER])
    r = load_routine("li4-quick", receiving="left")

    def say(pt):
        loc = atlas.locate(pt, rec, "Left", Side.BACK)
        c = Contact(1, "thumb", True, 0.9, (float(pt[0]), float(pt[1])),
                    tuple(float(v) for v in to_palm_frame(pt, rec)), loc)
        est = TechniqueEstimate(name="circles", frequency_hz=1.0)
        a = FrameAnalysis(hands=hands, side=Side.BACK, contacts=(c,), techniques=(est,))
        return Coach(r, atlas=atlas).update(a).guidance

    assert say(rec[Landmark.WRIST]) == ("move towards LI4 (towards the fingers and towards "
                                        "the thumb side)")
    assert say(rec[Landmark.INDEX_FINGER_TIP]) == "move towards LI4 (towards the wrist)"
    assert say(rec[Landmark.PINKY_MCP]) == "move towards LI4 (towards the thumb side)"
    li4 = atlas.shapes(rec, "Left", "back")["LI4"][0].points.mean(0)
    assert say(li4) == "good: keep going"


def test_follows_to_next_technique_on_the_same_point() -> None:
    r = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 60',
                'target = "LI4"\ntechnique = "hold"\nduration_s = 5')
    coach, states, score = run(r, stream(Seg(10), Seg(12, tech="hold", freq=None), fps=10))
    assert any(s.phase is Phase.STEP_COMPLETE and s.step_index == 1 for s in states)
    # switched after 2 × follow_s = 6 s of holding: 10 s circles + 6 s hold counted on step 1
    assert score.steps[0].measured["elapsed_s"] == pytest.approx(16, abs=0.3)
    assert score.steps[0].components["technique"] == pytest.approx(10 / 16, abs=0.02)


def test_caregiver_thumb_on_target_is_followed_even_if_less_confident() -> None:
    r = routine(LI4_20)
    # the second thumb (more confident) rests on D6; the first one circles on LI4
    frames = stream(Seg(3, givers=2, second_zones=("D6",)), fps=10)
    assert frames[0].primary.location.zones == ("D6",)
    _, states, _ = run(r, frames, mode="caregiver")
    assert states[-1].on_target and states[-1].guidance == "good: keep going"


def test_keep_records_is_checked() -> None:
    r = routine(LI4_20)
    with pytest.raises(ConfigError, match="keep_records=-1"):
        Coach(r, keep_records=-1)
    assert Coach(r).records.maxlen == 900 and Coach(r, keep_records=None).records.maxlen is None


def test_follows_to_the_next_target_when_the_press_flickers() -> None:
    """On model landmarks a press reads on and off every few frames while the thumb stays on
    the next step's target: the coach must still move on (a stalled coach judges every later
    step against the wrong target), but not for a thumb merely passing over it."""
    r = routine('target = "PC8"\nside = "palm"\ntechnique = "hold"\nduration_s = 60',
                'target = "LI4"\ntechnique = "circles"\nduration_s = 60')
    flicker = [Seg(0.2, touching=on) for _ in range(20) for on in (True, False)]
    coach, states, _ = run(r, stream(*flicker, fps=10))
    assert coach.step_index == 1
    moved = next(s.t for s in states if s.step_index == 1)
    assert 2.5 <= moved <= 4.0
    # over LI4 for 2 s only: not enough to move on
    coach, _, _ = run(r, stream(*flicker[:10], Seg(4, zones=("Z9",), nearest="PC8",
                                                  side="palm"), fps=10))
    assert coach.step_index == 0


def test_caregiver_two_handed_step_is_judged_on_the_pair_technique() -> None:
    """R2's wringing: in caregiver mode the two hands' technique counts (thumbs need not
    press); a single thumb stroking does not. In self mode the one-hand stroke counts."""
    import dataclasses

    from massagecam.technique_pair import PairAnalysis, PairEstimate, PairTechnique

    r = routine('target = "D5"\ntechnique = ["wringing", "stroke"]\nduration_s = 4\nhands = 2',
                recv="left")
    base = stream(Seg(6, zones=("D5",), nearest=None, tech="stroke", freq=None,
                      touching=False, givers=2), fps=10)

    def with_pair(name: PairTechnique) -> list:
        return [PairAnalysis(**{f.name: getattr(a, f.name) for f in dataclasses.fields(a)},
                             pair=PairEstimate(name=name, confidence=0.9, tracks=(1, 2)))
                for a in base]

    _, states, score = run(r, with_pair(PairTechnique.WRINGING), mode="caregiver")
    assert any(s.phase is Phase.STEP_COMPLETE for s in states)
    assert score.steps[0].components["technique"] == pytest.approx(1.0)
    _, states, score = run(r, with_pair(PairTechnique.NONE), mode="caregiver")
    assert not any(s.on_target for s in states)
    pressed = stream(Seg(6, zones=("D5",), nearest=None, tech="stroke", freq=None), fps=10)
    _, states, score = run(r, pressed, mode="self")
    assert any(s.phase is Phase.STEP_COMPLETE for s in states)
    assert score.steps[0].components["technique"] == pytest.approx(1.0)


@pytest.mark.parametrize("done_s, window_s", [(7.0, 1.5), (2.0, 3.0)])
def test_follows_sooner_once_most_of_the_step_is_done(done_s: float, window_s: float) -> None:
    """70 % done: the next target for 80 % of a 1.5 s window moves on; 20 % done: of 3 s."""
    from massagecam.routines.follow import FOLLOW_PLACE_SHARE

    r = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 10',
                'target = "D6"\ntechnique = "circles"\nduration_s = 10')
    frames = stream(Seg(done_s), Seg(6, zones=("D6",), nearest=None), fps=10)
    _, states, _ = run(r, frames)
    moved = next(s.t for s in states if s.step_index == 1)
    assert moved - done_s == pytest.approx(FOLLOW_PLACE_SHARE * window_s, abs=0.15)


def test_pressing_on_while_step_complete_shows_is_still_on_target() -> None:
    """The moment "step complete" shows, the user is usually still pressing that target: the
    frame is judged against the step just done, and nothing more is counted for it."""
    r = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 2',
                'target = "D6"\ntechnique = "circles"\nduration_s = 2')
    _, states, score = run(r, stream(Seg(3), fps=10))
    done = [s for s in states if s.phase is Phase.STEP_COMPLETE]
    assert len(done) >= 8 and all(s.on_target and s.step_index == 0 for s in done)
    assert all(s.guidance == "step complete" for s in done)
    assert score.steps[0].measured["elapsed_s"] == pytest.approx(2.0, abs=0.15)
    # pressing elsewhere meanwhile is not on target
    _, states, _ = run(r, stream(Seg(2.05), Seg(1, zones=("D9",), nearest=None), fps=10))
    assert not any(s.on_target for s in states if s.phase is Phase.STEP_COMPLETE
                   and s.t > 2.2)


def test_frames_since_the_user_moved_on_are_restated_as_the_next_step() -> None:
    """Following takes evidence (about 1.5-3 s); the frames the user already spent on the next
    step are then credited to it and re-labelled in the recorded timeline, and the step left
    gets back the tally it had before them (its presses were not off target)."""
    from massagecam.report.recorder import Recorder
    from massagecam.session import FrameResult

    r = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 10',
                'target = "D6"\ntechnique = "circles"\nduration_s = 10')
    frames = stream(Seg(2), Seg(8, zones=("D6",), nearest=None), fps=10)
    coach = Coach(r)
    rec = Recorder()
    states = []
    for a in frames:
        states.append(coach.update(a))
        rec.add(FrameResult(a, states[-1]))
    moved = next(s for s in states if s.step_index == 1)
    assert moved.t >= 3.5  # the evidence took time ...
    assert moved.restated and moved.restated[0][0] == 20  # ... and reaches back to frame 20
    assert all(on for _, on in moved.restated)
    score = coach.finish()
    assert score.steps[0].measured["elapsed_s"] == pytest.approx(2.0, abs=0.15)
    assert coach.tallies[0].off_zone_s == {}  # the D6 presses are not held against step 0
    assert coach.tallies[0].press_s == pytest.approx(2.0, abs=0.15)
    assert score.steps[1].measured["elapsed_s"] == pytest.approx(8.0, abs=0.15)
    step = rec.timeline.column("step")
    on = rec.timeline.column("on_target")
    assert (step[:20] == 0).all() and (step[20:] == 1).all()
    assert (on[20:] == 1).all()


def test_passing_over_the_next_target_restates_nothing() -> None:
    """A thumb that only crosses the next target keeps its frames on the current step."""
    r = routine('target = "LI4"\ntechnique = "circles"\nduration_s = 10',
                'target = "D6"\ntechnique = "circles"\nduration_s = 10')
    frames = stream(Seg(2), Seg(1, zones=("D6",), nearest=None), Seg(4), fps=10)
    coach, states, score = run(r, frames)
    assert all(s.step_index == 0 and not s.restated for s in states)
    assert score.steps[0].measured["elapsed_s"] == pytest.approx(6.0, abs=0.15)
