"""Config loading and validation: defaults, overrides, and one-line errors naming the key."""

from pathlib import Path

import pytest

from cmworkbench.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_config_equals_built_in_defaults():
    assert load_settings(ROOT / "config.toml", env={}) == Settings()


def test_no_file_gives_the_defaults():
    settings = load_settings(env={})
    assert settings.cadence["A1"].max_days == 30
    assert settings.sla["major"].resolution == "24h calendar"
    assert settings.calendar.timezone == "Asia/Shanghai"


def test_a_branch_file_overrides_only_what_it_names(tmp_path):
    path = write(
        tmp_path, '[cadence.A1]\nideal_days = 10\nmax_days = 15\n[general]\nlanguage = "en"\n'
    )
    settings = load_settings(path, env={})
    assert settings.cadence["A1"].ideal_days == 10
    assert settings.cadence["B1"].max_days == 60, "classes not named keep their default"
    assert settings.general.language == "en"


def test_environment_overrides_database_and_language(tmp_path):
    env = {"CMW_DATABASE_URL": "sqlite:///x.db", "CMW_LANGUAGE": "en"}
    settings = load_settings(env=env)
    assert settings.database_url == "sqlite:///x.db"
    assert settings.general.language == "en"


def test_config_env_variable_points_at_the_file(tmp_path):
    path = write(tmp_path, '[general]\nbranch_name = "城东支行"\n')
    assert load_settings(env={"CMW_CONFIG": str(path)}).general.branch_name == "城东支行"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '[calendar]\ntimezone = "Asia/Shanghi"\n',
            "calendar.timezone: unknown timezone",
            id="bad-timezone",
        ),
        pytest.param(
            f'[calendar]\ntimezone = "{"0" * 600}"\n',
            "calendar.timezone: unknown timezone",
            id="timezone-longer-than-a-file-name",
        ),
        pytest.param("[calendar]\nhourz = []\n", "calendar.hourz: unknown key", id="unknown-key"),
        pytest.param(
            '[pipeline]\nproposal_stage = "relationship"\n',
            "pipeline.proposal_stage: must be one of pipeline.stages before the last",
            id="pipeline-proposal-at-the-won-step",
        ),
        pytest.param(
            '[pipeline]\nstages = ["a", "b", "a"]\nproposal_stage = "a"\n',
            "pipeline.stages[2]: 'a' is named twice",
            id="pipeline-step-twice",
        ),
        pytest.param(
            '[pipeline.names]\nsolushun = "方案"\n',
            "pipeline.names.solushun: is not one of pipeline.stages",
            id="pipeline-name-of-no-step",
        ),
        pytest.param(
            "[pipeline]\nmin_return_ratio = 0\n", "pipeline.min_return_ratio", id="pipeline-ratio"
        ),
        pytest.param(
            '[lead]\nteam_figures = ["coverge"]\n',
            "lead.team_figures[0]: 'coverge' is not a figure with a target",
            id="lead-unknown-figure",
        ),
        pytest.param("[lead]\noverdue_over = -1\n", "lead.overdue_over", id="lead-negative"),
        pytest.param('[general]\nlanguage = "fr"\n', "general.language", id="unknown-language"),
        pytest.param(
            '[privacy]\nidle_lock_minutes = "5"\n',
            "privacy.idle_lock_minutes: must be a whole number",
            id="wrong-type",
        ),
        pytest.param(
            "[cadence.A1]\nideal_days = 40\nmax_days = 30\n",
            "cadence.A1: needs 0 < ideal_days <= max_days",
            id="cadence-ideal-after-max",
        ),
        pytest.param(
            '[sla.major]\nresolution = "24 hours"\n', "sla.major.resolution", id="bad-duration"
        ),
        pytest.param(
            '[sla.major]\nescalate = ["boss@1.0"]\n',
            "sla.major.escalate",
            id="unknown-escalation-role",
        ),
        pytest.param(
            '[sla.gold]\nresolution = "8h business"\n', "sla.gold: is not normal", id="sla-name"
        ),
        pytest.param('[sla.C]\nreturn_call = "soon"\n', "sla.C.return_call", id="bad-return-call"),
        pytest.param(
            '[complaints]\nclose_roles = ["boss"]\n',
            "complaints.close_roles[0]",
            id="unknown-close-role",
        ),
        pytest.param(
            '[complaints]\nbackoffice_deadline = "3 days"\n',
            "complaints.backoffice_deadline",
            id="bad-backoffice-deadline",
        ),
        pytest.param(
            '[calendar]\nhours = ["12:00-08:30"]\n', "calendar.hours[0]", id="hours-backwards"
        ),
        pytest.param(
            '[calendar]\nextra_holidays = ["2026-02-30"]\n',
            "calendar.extra_holidays[0]",
            id="date-that-does-not-exist",
        ),
        pytest.param('[grades]\nsenior = ["A3"]\n', "grades.senior", id="unknown-class"),
        pytest.param(
            '[scheduler]\ngenerate_at = "6:30am"\n', "scheduler.generate_at", id="bad-time"
        ),
        pytest.param("[general\n", "not valid TOML", id="broken-toml"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert message.startswith(str(path))


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml", env={})
