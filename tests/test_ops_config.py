"""pledgewatch.toml: checked at start with a message naming the bad key, found and ranked below options and
the environment, and its crawl settings reaching the real spiders (User-Agent contact, topics, feeds)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

import pipeline
from conftest import ROOT, run_cli
from crawlers.localsite import LocalSite, Route
from crawlers.outlets import OUTLETS
from ops.config import Config, ConfigError, find_config, load_config, parse_config
from warehouse.db import connect

EXAMPLE = ROOT / "pledgewatch.example.toml"


def test_the_example_file_is_valid_and_says_what_it_shows():
    config = load_config(EXAMPLE)
    assert config.outlets == tuple(OUTLETS)
    assert config.contact.startswith("mailto:") and config.topics
    assert config.since_days == 3 and config.max_articles == 200
    assert config.scrapy["DOWNLOAD_TIMEOUT"] == 30
    # relative paths are taken from the file's folder, whatever folder the command runs in
    assert config.db == str(ROOT / "data" / "pledgewatch.duckdb")
    assert config.archive == str(ROOT / "data" / "archive")
    assert config.review_organisation == "Example Fact Check"


@pytest.mark.parametrize(
    "toml, expected",
    [
        ('[crawl]\noutlets = ["pbs", "bbc"]', "crawl.outlets[1]: unknown outlet 'bbc'; expected one of pbs, guardian, warzone"),
        ("[crawl]\noutlets = []", "crawl.outlets: expected a non-empty array of outlet names"),
        ('[crawl]\noutlets = "pbs"', "crawl.outlets: expected a non-empty array of outlet names (pbs, guardian, warzone), got 'pbs' (string)"),
        ("[crawl]\ncolour = 'blue'", "crawl.colour: unknown key; expected one of outlets, topics, contact, since_days,"),
        ("[crawl]\nmax_articles = 0", "crawl.max_articles: expected a whole number >= 1, got 0 (integer)"),
        ("[crawl]\nsince_days = true", "crawl.since_days: expected a whole number >= 1, got True (boolean)"),
        ("[crawl]\ncontact = 'call us'", "crawl.contact: expected a URL or an e-mail address to reach you"),
        ("[crawl.feeds]\npbs = ['ftp://x']", "crawl.feeds.pbs[0]: expected an http:// or https:// URL, got 'ftp://x' (string)"),
        ("[crawl.feeds]\nbbc = ['https://bbc.example/rss']", "crawl.feeds.bbc: unknown outlet 'bbc'"),
        ("[crawl.scrapy]\nDOWNLOD_DELAY = 2", "crawl.scrapy.DOWNLOD_DELAY: not a Scrapy setting; expected a setting name"),
        ("[crawl.scrapy]\nDOWNLOAD_DELAY = 'slow'", "crawl.scrapy.DOWNLOAD_DELAY: expected a number, got 'slow' (string)"),
        ("[crawl.scrapy]\nAUTOTHROTTLE_ENABLED = 1", "crawl.scrapy.AUTOTHROTTLE_ENABLED: expected true or false, got 1 (integer)"),
        ("[crawl.scrapy]\nUSER_AGENT = 'me'", "crawl.scrapy.USER_AGENT: set by pledgewatch; use crawl.contact instead"),
        ("[warehouse]\nlock_wait = 'soon'", "warehouse.lock_wait: expected a number of seconds >= 0, got 'soon' (string)"),
        ("[warehouse]\npath = ''", "warehouse.path: expected a non-empty string, got '' (string)"),
        ("warehouse = 'data/w.duckdb'", "warehouse: expected a table ([warehouse]), got 'data/w.duckdb' (string)"),
        ("outlets = ['pbs']", "outlets: unknown section (did you mean crawl.outlets, under [crawl]?); expected one of [crawl],"),
        ("[reviews]\norganisation = 'x'", "reviews: unknown section; expected one of [crawl], [warehouse], [extract], [log], [review]"),
        ("[review]\norganisation_url = 'example.org'", "review.organisation_url: expected an http:// or https:// URL"),
    ],
)  # fmt: skip
def test_a_wrong_value_is_named_with_what_is_expected(tmp_path, toml, expected):
    path = tmp_path / "pledgewatch.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}: {expected}")


@pytest.mark.parametrize(
    "toml, key, variable",
    [
        ("[crawl]\nguardian_api_key = 'abc123'", "crawl.guardian_api_key", "GUARDIAN_API_KEY"),
        ("[crawl.scrapy]\nGUARDIAN_API_KEY = 'abc123'", "crawl.scrapy.GUARDIAN_API_KEY", "GUARDIAN_API_KEY"),
        ("[review]\ntoken = 'abc123'", "review.token", "an environment variable"),
        ("[warehouse]\npassword = 'x'", "warehouse.password", "an environment variable"),
    ],
)
def test_a_secret_in_the_file_is_refused(tmp_path, toml, key, variable):
    path = tmp_path / "pledgewatch.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert f"{key}: API keys and other secrets are read from the environment only" in message
    assert f"set {variable}" in message and "abc123" not in message


def test_a_file_that_is_not_toml_or_not_there_says_so(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[crawl\noutlets = ['pbs']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML: .*line 1"):
        load_config(broken)
    with pytest.raises(
        ConfigError, match=r"none.toml: cannot read the configuration file .*named by --config"
    ):
        load_config(tmp_path / "none.toml", "--config")


def test_the_file_is_found_by_option_then_environment_then_working_folder(tmp_path):
    (tmp_path / "pledgewatch.toml").write_text("", encoding="utf-8")
    assert find_config("a.toml", {"PLEDGEWATCH_CONFIG": "b.toml"}, tmp_path) == (Path("a.toml"), "--config")
    assert find_config(None, {"PLEDGEWATCH_CONFIG": "b.toml"}, tmp_path) == (
        Path("b.toml"),
        "PLEDGEWATCH_CONFIG",
    )
    assert find_config(None, {}, tmp_path) == (tmp_path / "pledgewatch.toml", "./pledgewatch.toml")
    assert find_config(None, {}, tmp_path / "elsewhere") == (None, "")


def test_environment_beats_the_file_for_crawler_settings():
    config = parse_config(
        {
            "crawl": {
                "contact": "mailto:desk@example.org",
                "topics": "Japan",
                "feeds": {"pbs": ["https://m.example/rss"]},
            }
        }
    )
    overrides = config.crawl_overrides({})
    assert overrides["USER_AGENT"].endswith("(news-claim research crawler; +mailto:desk@example.org)")
    assert overrides["PLEDGEWATCH_TOPICS"] == "Japan"
    assert overrides["PLEDGEWATCH_FEEDS"] == {"pbs": ["https://m.example/rss"]}
    from_env = config.crawl_overrides(
        {"PLEDGEWATCH_CONTACT": "https://us.example", "PLEDGEWATCH_TOPICS": "Korea"}
    )
    assert "USER_AGENT" not in from_env and "PLEDGEWATCH_TOPICS" not in from_env  # the environment's stand
    assert Config().crawl_overrides({}) == {}


def _status_warehouse(runner: CliRunner, args: list[str], env: dict | None = None) -> str:
    """Which warehouse `status` reads with these arguments (its first line names it)."""
    result = runner.invoke(pipeline.cli, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0].split()[1].rstrip(":")


def test_option_beats_environment_beats_file_beats_default(tmp_path):
    for name in ("file", "env", "option"):
        connect(tmp_path / f"{name}.duckdb").close()
    config = tmp_path / "conf" / "pledgewatch.toml"
    config.parent.mkdir()
    config.write_text("[warehouse]\npath = '../file.duckdb'\n", encoding="utf-8")
    runner = CliRunner()
    env = {"PLEDGEWATCH_DB": None, "PLEDGEWATCH_CONFIG": None}
    assert _status_warehouse(runner, ["--config", str(config), "status"], env) == str(
        tmp_path / "file.duckdb"
    )
    env_db = str(tmp_path / "env.duckdb")
    assert (
        _status_warehouse(runner, ["--config", str(config), "status"], env | {"PLEDGEWATCH_DB": env_db})
        == env_db
    )
    option_db = str(tmp_path / "option.duckdb")
    assert (
        _status_warehouse(
            runner, ["--config", str(config), "status", "--db", option_db], env | {"PLEDGEWATCH_DB": env_db}
        )
        == option_db
    )
    # PLEDGEWATCH_CONFIG names the file when --config does not
    assert _status_warehouse(runner, ["status"], env | {"PLEDGEWATCH_CONFIG": str(config)}).endswith(
        "file.duckdb"
    )


def test_a_bad_file_stops_every_command_with_exit_status_2(tmp_path):
    config = tmp_path / "pledgewatch.toml"
    config.write_text("[crawl]\noutlets = ['pbs', 'bbc']\n", encoding="utf-8")
    result = run_cli("nightly", "--sample", "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)  # found in ./
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {config}: crawl.outlets[1]: unknown outlet 'bbc'; expected one of pbs, guardian, warzone"
    )
    assert not (tmp_path / "w.duckdb").exists()  # nothing ran


def test_bad_options_and_environment_are_configuration_errors(tmp_path):
    db = str(tmp_path / "w.duckdb")
    assert run_cli("--config", str(tmp_path / "none.toml"), "status", "--db", db).returncode == 2
    assert run_cli("nightly", "--sample", "--db", db, env={"PLEDGEWATCH_LOCK_WAIT": "soon"}).returncode == 2
    assert run_cli("nightly", "--sample", "--db", db, "--max-articles", "0").returncode == 2
    (tmp_path / "not-a-warehouse").write_text("hello", encoding="utf-8")
    result = run_cli("nightly", "--sample", "--db", str(tmp_path / "not-a-warehouse"))
    assert result.returncode == 2 and "not a valid DuckDB database file" in result.stderr.splitlines()[-1]


ROBOTS = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain; charset=utf-8")


def test_contact_topics_and_feeds_from_the_file_reach_the_spiders(tmp_path):
    asked: list[dict] = []

    def search(path: str) -> Route:
        asked.append({k: v[0] for k, v in parse_qs(urlsplit(path).query).items()})
        data = {"response": {"status": "ok", "currentPage": 1, "pages": 1, "results": []}}
        return Route(json.dumps(data).encode(), content_type="application/json")

    feed = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"
    routes = {
        "/robots.txt": ROBOTS,
        "/search": search,
        "/pbs.xml": Route(feed, content_type="application/rss+xml"),
    }
    with LocalSite(routes) as site:
        config = tmp_path / "pledgewatch.toml"
        config.write_text(
            "[crawl]\ncontact = 'mailto:desk@example.org'\ntopics = '\"investment pledge\" AND Taiwan'\n"
            f"[crawl.feeds]\npbs = ['{site.url('/pbs.xml')}']\n"
            f"[crawl.scrapy]\nGUARDIAN_API_URL = '{site.url('/search')}'\nDOWNLOAD_DELAY = 0\n"
            "AUTOTHROTTLE_ENABLED = false\n",
            encoding="utf-8",
        )
        env = {"GUARDIAN_API_KEY": "test-key", "PLEDGEWATCH_CONTACT": "", "PLEDGEWATCH_TOPICS": ""}
        result = run_cli("--config", str(config), "crawl", "--spider", "pbs", "--spider", "guardian", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert [h.path for h in site.hits if h.path.startswith("/pbs")] == ["/pbs.xml"]  # the file's feed
    assert asked and asked[0]["q"] == '"investment pledge" AND Taiwan'  # the file's topics
    agents = {h.headers["User-Agent"] for h in site.hits}
    assert agents == {"pledgewatch/0.1 (news-claim research crawler; +mailto:desk@example.org)"}


def test_the_review_organisation_comes_from_the_file_unless_given(tmp_path):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    config = tmp_path / "pledgewatch.toml"
    config.write_text("[review]\norganisation = 'Example Fact Check'\n", encoding="utf-8")
    out = tmp_path / "claimreviews.json"
    env = {"PLEDGEWATCH_ORGANISATION": None, "PLEDGEWATCH_CONFIG": None}
    without = CliRunner().invoke(
        pipeline.cli, ["export", "--claimreview", str(out), "--db", str(db)], env=env
    )
    assert without.exit_code == 2 and "organisation" in without.output
    args = ["--config", str(config), "export", "--claimreview", str(out), "--db", str(db)]
    result = CliRunner().invoke(pipeline.cli, args, env=env)
    assert result.exit_code == 0, result.output
    assert "0 ClaimReviews of confirmed flags written" in result.output and out.is_file()


def test_a_missing_file_says_which_setting_named_it(tmp_path):
    missing = tmp_path / "nope.toml"
    by_env = CliRunner().invoke(pipeline.cli, ["status"], env={"PLEDGEWATCH_CONFIG": str(missing)})
    assert by_env.exit_code == 2 and "named by PLEDGEWATCH_CONFIG" in by_env.output
    by_option = CliRunner().invoke(pipeline.cli, ["--config", str(missing), "status"])
    assert by_option.exit_code == 2 and "named by --config" in by_option.output
