"""The deployment description agrees with itself and with the settings.

Dockerfile, docker/entrypoint.sh, docker-compose.yml, .env.example and .dockerignore are read
as files: nothing is built or started, and no database is used. The central check is that
every environment variable the settings read is documented in .env.example, and the other
way round, so that a new setting cannot land undocumented.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"

SERVICES = {"postgres", "postgres-replica", "redis", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")
# Settings files that production never loads.
NOT_PRODUCTION = {CONFIG / "settings" / "local.py", CONFIG / "settings" / "test.py"}
# Read by the settings, but fixed by the image (Dockerfile ENV), not by the operator.
SET_BY_IMAGE = {"STATIC_ROOT", "MEDIA_ROOT"}

GETTERS = ("env_str", "env_bool", "env_int", "env_list", "env_database", "env_redis", "env_email")
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# A call of one of config/env.py's getters; the variable's name is its first argument.
GETTER_CALL = re.compile(
    rf"(?<!def )\b({'|'.join(GETTERS)})\(\s*(?:(?:name\s*=\s*)?[\"']({NAME})[\"'])?"
)
# Reads that bypass the getters: os.environ / os.getenv, or django-environ's env directly.
OTHER_READS = re.compile(
    rf"(?:os\.environ\.(?:get|setdefault|pop)\(|os\.environ\[|os\.getenv\("
    rf"|\benv(?:\.[a-z_]+)?\()\s*[\"']({NAME})[\"']"
)
ENV_EXAMPLE_LINE = re.compile(rf"^(#\s*)?({NAME})=(.*)$")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Replaces conftest's fixture of that name: these tests need neither Redis nor a database."""
    yield


# --- Helpers ---------------------------------------------------------------------------------


def config_files(*, production_only: bool = False) -> list[Path]:
    files = sorted(CONFIG.glob("*.py")) + sorted((CONFIG / "settings").glob("*.py"))
    if production_only:
        files = [path for path in files if path not in NOT_PRODUCTION]
    return files


def getter_default_names() -> dict[str, str]:
    """The variable a getter reads when called without a name: env_database() -> DATABASE_URL."""
    source = (CONFIG / "env.py").read_text()
    return dict(re.findall(rf"def ({'|'.join(GETTERS)})\(name: str = \"({NAME})\"", source))


def variables_read(files: list[Path]) -> dict[str, set[str]]:
    """{variable: {file, ...}} for every environment variable read in ``files``."""
    defaults = getter_default_names()
    found: dict[str, set[str]] = {}
    for path in files:
        text = path.read_text()
        relative = str(path.relative_to(ROOT))
        for match in GETTER_CALL.finditer(text):
            getter, name = match.groups()
            if name is None:
                name = defaults.get(getter)
                line = text.count("\n", 0, match.start()) + 1
                assert name, (
                    f"{relative}:{line}: {getter}() is called without a literal variable name; "
                    "name the variable as a string so that it can be checked against .env.example."
                )
            found.setdefault(name, set()).add(relative)
        for name in OTHER_READS.findall(text):
            found.setdefault(name, set()).add(relative)
    return found


def settings_defaults() -> dict[str, tuple[bool, object]]:
    """{variable: (has_default, default)} as production reads it (production.py over base.py)."""
    result: dict[str, tuple[bool, object]] = {}
    files = config_files(production_only=True)
    files.sort(key=lambda path: path.name == "production.py")
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                continue
            name = node.args[0].value
            default_node = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "default":
                    default_node = keyword.value
            if node.func.id == "env_email" and default_node is None:
                result[name] = (True, "consolemail://")  # env_email's own default
            elif default_node is None:
                result[name] = (False, None)
            elif isinstance(default_node, ast.Constant):
                result[name] = (True, default_node.value)
            else:  # computed default: cannot be compared, but exists
                result[name] = (True, ...)
    return result


def env_example() -> list[tuple[str, bool, str, str]]:
    """(name, commented_out, value, comment line above) for each variable in .env.example."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    entries = []
    for index, line in enumerate(lines):
        match = ENV_EXAMPLE_LINE.match(line.strip())
        if match:
            above = lines[index - 1].strip() if index else ""
            entries.append((match.group(2), bool(match.group(1)), match.group(3), above))
    return entries


def documented() -> set[str]:
    return {name for name, *_ in env_example()}


def mentioned_in_deployment_files(name: str) -> bool:
    """$NAME or ${NAME...} in the Dockerfile, the entrypoint or docker-compose.yml."""
    pattern = re.compile(rf"\$\{{?{name}\b")
    return any(pattern.search(path.read_text()) for path in (DOCKERFILE, ENTRYPOINT, COMPOSE))


def entrypoint_reads() -> set[str]:
    return set(re.findall(rf"\$\{{?({NAME})", ENTRYPOINT.read_text()))


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read docker-compose.yml")
    return yaml.safe_load(COMPOSE.read_text())


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


# --- .env.example against the settings (no YAML needed) ------------------------------------


def test_every_variable_the_settings_read_is_documented_in_env_example():
    read = variables_read(config_files())
    assert read, "found no environment variable read in config/: the regex is broken"
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= read.keys()
    missing = {name: sorted(files) for name, files in read.items() if name not in documented()}
    assert not missing, f"Document these variables in .env.example: {missing}"


def test_every_variable_in_env_example_is_read_somewhere():
    read = variables_read(config_files()).keys() | entrypoint_reads()
    unused = sorted(
        name
        for name in documented()
        if name not in read and not mentioned_in_deployment_files(name)
    )
    assert not unused, f".env.example documents variables that nothing reads: {unused}"


def test_env_example_says_what_each_variable_is_whether_required_and_its_default():
    entries = env_example()
    names = [name for name, *_ in entries]
    assert len(names) == len(set(names)), (
        f"listed twice: {sorted({n for n in names if names.count(n) > 1})}"
    )
    for name, _commented, _value, above in entries:
        assert above.startswith("#") and not ENV_EXAMPLE_LINE.match(above.lstrip("# ")), (
            f"{name} needs a one-line comment above it in .env.example"
        )
        assert "Required in production:" in above and "Default:" in above, (
            f"the comment above {name} must say 'Required in production: ...' and 'Default: ...'"
        )


def test_variables_production_requires_are_marked_required():
    required = {name for name, (has_default, _) in settings_defaults().items() if not has_default}
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL"} <= required
    comments = {name: above for name, _c, _v, above in env_example()}
    for name in required:
        assert "Required in production: yes" in comments[name], name


def test_env_example_holds_no_secret():
    for name, commented, value, _above in env_example():
        if any(word in name for word in ("SECRET", "PASSWORD", "TOKEN")) and not commented:
            assert value == "", f"{name} must stay empty in .env.example, not {value!r}"
        assert not re.search(r"://[^/\s:@]+:(?!password@)[^/\s@]+@", value), (
            f"{name} carries credentials in .env.example"
        )


def test_compose_only_variables_are_documented():
    assert {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "GUNICORN_WORKERS"} <= documented()


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_has_the_six_services(compose):
    assert set(compose["services"]) == SERVICES


def test_the_read_replica_runs_on_demand_and_streams_from_the_primary(compose):
    """`--profile replica`: a hot standby made by pg_basebackup -R from the primary, with a
    replication role the primary creates at initialisation; the app reads statistics from it
    when DATABASE_REPLICA_URL names it."""
    replica = compose["services"]["postgres-replica"]
    assert replica["profiles"] == ["replica"]
    assert replica["image"] == compose["services"]["postgres"]["image"]
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    script = (ROOT / "docker" / "postgres" / "replica.sh").read_text()
    assert "pg_basebackup" in script and " -R " in script and "hot_standby=on" in script
    init = (ROOT / "docker" / "postgres" / "10-replication.sh").read_text()
    assert "REPLICATION LOGIN" in init and "host replication replicator" in init
    mounts = " ".join(compose["services"]["postgres"]["volumes"])
    assert "/docker-entrypoint-initdb.d/" in mounts
    for name in APP_SERVICES:
        assert "DATABASE_REPLICA_URL" in environment(compose["services"][name])


def test_workers_can_be_scaled(compose):
    worker = compose["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["deploy"]["replicas"] == "${CELERY_WORKERS:-1}"


def test_postgres_is_16_and_redis_is_7(compose):
    def major(image: str) -> str:
        _name, _, tag = image.partition(":")
        return re.split(r"[.\-]", tag)[0]

    assert compose["services"]["postgres"]["image"].startswith("postgres:")
    assert major(compose["services"]["postgres"]["image"]) == "16"
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert major(compose["services"]["redis"]["image"]) == "7"


def test_data_services_keep_their_data_in_named_volumes(compose):
    named = set(compose.get("volumes") or {})
    for service, target in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        mounts = {m.split(":")[1]: m.split(":")[0] for m in compose["services"][service]["volumes"]}
        assert mounts.get(target) in named, f"{service} must keep {target} in a named volume"
    assert "appendonly" in " ".join(map(str, compose["services"]["redis"]["command"]))


def test_app_services_share_one_build_image_and_environment(compose):
    services = compose["services"]
    web = services["web"]
    assert web.get("build"), "web must build the image"
    context = web["build"]["context"] if isinstance(web["build"], dict) else web["build"]
    assert (COMPOSE.parent / context / "Dockerfile").is_file()
    for name in APP_SERVICES:
        assert services[name].get("build") == web["build"], name
        assert services[name].get("image") == web.get("image"), name
        assert environment(services[name]) == environment(web), name
        assert services[name].get("volumes") == web.get("volumes"), name


@pytest.mark.parametrize("role", APP_SERVICES)
def test_each_app_service_runs_its_entrypoint_role(compose, role):
    command = compose["services"][role]["command"]
    command = command.split() if isinstance(command, str) else command
    assert command[0] == role
    assert re.search(rf"^\s*{role}\)", ENTRYPOINT.read_text(), re.MULTILINE), (
        f"docker/entrypoint.sh has no `{role})` branch"
    )


def test_every_service_has_a_healthcheck_and_restarts(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck") or {}
        assert not check.get("disable"), name
        test = check.get("test")
        assert test and test not in (["NONE"], "NONE"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name


def test_web_waits_for_healthy_postgres_and_redis(compose):
    depends = compose["services"]["web"]["depends_on"]
    for needed in ("postgres", "redis"):
        assert depends[needed]["condition"] == "service_healthy", needed


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_wait_for_a_migrated_database(compose, name):
    depends = compose["services"][name]["depends_on"]
    healthy = {key for key, value in depends.items() if value.get("condition") == "service_healthy"}
    assert "web" in healthy or {"postgres", "redis"} <= healthy


def test_web_healthcheck_requests_healthz_as_the_dockerfile_does(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    command = test[-1] if isinstance(test, list) else test
    assert "/healthz" in command and "urllib" in command
    assert command in DOCKERFILE.read_text(), "keep the Dockerfile HEALTHCHECK and compose's alike"


def test_compose_requires_the_secrets_and_fixes_the_settings_module(compose):
    env = environment(compose["services"]["web"])
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    # The site connects as the application role; the owner's URL only migrates (issue 18 #4).
    assert "${POSTGRES_APP_PASSWORD:?" in env["DATABASE_URL"]
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_OWNER_URL"]
    assert (
        "${POSTGRES_PASSWORD:?" in environment(compose["services"]["postgres"])["POSTGRES_PASSWORD"]
    )
    assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_production_settings_can_all_be_set_through_compose(compose):
    production = variables_read(config_files(production_only=True)).keys() - SET_BY_IMAGE
    passed = environment(compose["services"]["web"]).keys()
    missing = sorted(production - passed)
    assert not missing, f"docker-compose.yml does not pass these settings to the app: {missing}"


def test_compose_passes_only_variables_that_something_reads(compose):
    read = variables_read(config_files()).keys() | entrypoint_reads()
    unread = sorted(environment(compose["services"]["web"]).keys() - read)
    assert not unread, f"docker-compose.yml passes variables nothing reads: {unread}"


def test_compose_defaults_match_the_settings(compose):
    truthy, falsy = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
    defaults = settings_defaults()
    for name, value in environment(compose["services"]["web"]).items():
        if name not in defaults:
            continue
        has_default, default = defaults[name]
        reference = re.fullmatch(rf"\$\{{{name}(:?[-?])(.*)\}}", value)
        if not has_default:
            assert reference is None or reference.group(1).endswith("?"), (
                f"production requires {name}: compose must require it (${{{name}:?...}}) or set it"
            )
            continue
        if reference is None or reference.group(1).endswith("?") or default is ...:
            continue
        compose_default = reference.group(2)
        if isinstance(default, bool):
            assert compose_default.lower() in (truthy if default else falsy), name
        else:
            assert compose_default == str(default), (
                f"{name}: compose defaults to {compose_default!r}, the settings to {default!r}"
            )


# --- Dockerfile, entrypoint, .dockerignore ---------------------------------------------------


def test_dockerfile_builds_assets_with_node_and_runs_on_python_311_slim():
    stages = re.findall(r"^FROM\s+(\S+)", DOCKERFILE.read_text(), re.MULTILINE)
    assert len(stages) >= 2
    assert any(stage.startswith("node:") for stage in stages[:-1])
    assert stages[-1].startswith("python:3.11-slim")
    text = DOCKERFILE.read_text()
    assert "npm ci --ignore-scripts" in text
    assert "collectstatic --noinput" in text
    assert re.search(r"pip install \.(\s|$)", text), "install the project without extras"
    assert ".[dev]" not in text


def test_dockerfile_runs_as_a_non_root_user_and_bakes_no_secret():
    text = DOCKERFILE.read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    env_block = " ".join(re.findall(r"^ENV\s+((?:.*\\\n)*.*)$", text, re.MULTILINE))
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SITE_URL"):
        assert name not in env_block, f"{name} must not be baked into the image as ENV"
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env_block
    assert "PYTHONDONTWRITEBYTECODE=1" in env_block and "PYTHONUNBUFFERED=1" in env_block
    assert re.search(r"^EXPOSE\s+8000\b", text, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK\b.*\n?.*127\.0\.0\.1:8000/healthz", text, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT\s+\["/app/docker/entrypoint\.sh"\]', text, re.MULTILINE)


def test_entrypoint_is_executable_posix_sh_that_migrates_before_serving():
    text = ENTRYPOINT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert re.search(r"^set -eu$", text, re.MULTILINE)
    assert os.access(ENTRYPOINT, os.X_OK), "docker/entrypoint.sh must be executable"
    migrate = text.index("manage.py migrate --noinput")
    reference = text.index("manage.py load_reference_data")
    assert migrate < reference < text.index("exec gunicorn config.wsgi:application")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in text
    assert 'exec "$role" "$@"' in text or 'exec "$@"' in text
    sh = shutil.which("sh")
    if sh:
        result = subprocess.run([sh, "-n", str(ENTRYPOINT)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    patterns = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv", "node_modules", "var", ".git"} <= patterns
    assert not {"templates", "static", "locale", "manage.py", "docker", ".npmrc"} & patterns
