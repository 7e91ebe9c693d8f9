"""Run a real Request Tracker 5 server for integration tests.

Why: fakes only encode what we *believe* RT does. This module starts Debian's
``request-tracker5`` (installed by ``scripts/install-rt.sh``) through RT's own
standalone ``rt-server`` on a free loopback port, against a private SQLite
database inside a per-test ``workdir``. Nothing global is touched: the system
``/etc/request-tracker5`` config and ``/var/lib/request-tracker5`` are bypassed
through ``RT_SITE_CONFIG`` / ``RT_SITE_CONFIG_DIR``, so parallel runs don't
collide and tests never see a system database.

Start-up cost is kept low by building the initialised database (schema, ACLs,
core data, an auth token for ``root``) once and caching it as a template file;
each server then starts from a plain file copy of it.

Pure stdlib + ``requests`` on purpose: no Flask or app imports, so it can be
used from any test layer (and from a shell for debugging).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

__all__ = [
    "RT_SERVER",
    "RTServer",
    "RTUnavailable",
    "rt_unavailable_reason",
    "start_rt_server",
]

#: Where Debian's request-tracker5 package puts things (RT 5.0.3 on bookworm).
RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP_DATABASE = Path("/usr/sbin/rt-setup-database-5")
RT_LIB = Path("/usr/share/request-tracker5/lib")
RT_ETC = Path("/usr/share/request-tracker5/etc")

#: RT's own initialdata creates ``root`` with this password.
ROOT_USERNAME = "root"
ROOT_PASSWORD = "password"  # noqa: S105 - RT's documented initial password

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0
#: Starlet pre-forks this many workers; a few allow concurrent test requests.
WORKERS = 4
#: Bump when the template recipe changes so stale cached templates are ignored.
_TEMPLATE_RECIPE = "1"
_TEMPLATE_CACHE_ENV = "RT_TEMPLATE_CACHE_DIR"
_PORT_ATTEMPTS = 3
_LISTEN_FAILURE = "couldn't start up a web server"

# Prelude for Perl helpers: load RT against the config named by RT_SITE_CONFIG.
_PERL_PRELUDE = f"""
use strict; use warnings;
use lib '{RT_LIB}';
use RT;
RT::LoadConfig();
RT::Init();
"""

_PERL_CREATE_TOKEN = """
my ($name, $description) = @ARGV;
my $user = RT::User->new(RT->SystemUser);
$user->Load($name);
die "no such RT user: $name\\n" unless $user->Id;
my $token = RT::AuthToken->new(RT->SystemUser);
my ($ok, $msg, $authstring) = $token->Create(Owner => $user->Id, Description => $description);
die "token creation failed: $msg\\n" unless $ok;
print "TOKEN=$authstring\\n";
"""

_PERL_GRANT_QUEUE_RIGHTS = """
my ($name, $queue_name, @rights) = @ARGV;
my $user = RT::User->new(RT->SystemUser);
$user->Load($name);
die "no such RT user: $name\\n" unless $user->Id;
my $queue = RT::Queue->new(RT->SystemUser);
$queue->Load($queue_name);
die "no such RT queue: $queue_name\\n" unless $queue->Id;
for my $right (@rights) {
    my ($ok, $msg) = $user->PrincipalObj->GrantRight(Right => $right, Object => $queue);
    die "granting $right failed: $msg\\n" unless $ok;
}
"""


class RTUnavailable(Exception):
    """RT cannot be used here: not installed, or it failed to initialise/start.

    Tests turn this into a skip (or a failure when ``REQUIRE_RT=1``), so the
    message must say what is missing and how to fix it.
    """


@dataclass
class RTServer:
    """A running ``rt-server`` owned by the caller; call :meth:`stop` when done."""

    url: str
    host_port: str
    port: int
    workdir: Path
    database: Path
    site_config: Path
    log_path: Path
    #: ``Authorization: token <token>`` credential for root (RT 5 core auth tokens).
    token: str
    username: str = ROOT_USERNAME
    password: str = ROOT_PASSWORD
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def rest2_url(self) -> str:
        """Base URL of the REST 2.0 API, without a trailing slash."""
        return f"{self.url}/REST/2.0"

    @property
    def auth(self) -> tuple[str, str]:
        """Basic-auth pair for ``requests`` (root)."""
        return (self.username, self.password)

    @property
    def token_header(self) -> dict[str, str]:
        """Headers that authenticate as root with the pre-made auth token."""
        return {"Authorization": f"token {self.token}"}

    @property
    def env(self) -> dict[str, str]:
        """Environment that points RT tools at this server's config and DB."""
        return _rt_env(self.site_config)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """Last lines of rt-server's combined stdout/stderr (RT logs to stderr)."""
        return _tail(self.log_path, lines)

    def run_perl(self, script: str, *args: str, timeout: float = 60.0) -> str:
        """Run Perl with RT loaded against this server's database; returns stdout.

        Why: REST2 in RT 5.0.3 cannot grant rights or create auth tokens, so
        test set-up that needs them goes through RT's own Perl API. Safe while
        the server runs (SQLite; RT re-reads ACLs per request).
        """
        return _run_perl(self.site_config, script, args, timeout=timeout)

    def create_token(self, user: str = ROOT_USERNAME, description: str = "tests") -> str:
        """Create a new REST2 auth token for ``user`` and return its auth string."""
        return _create_token(self.site_config, user, description)

    def grant_queue_rights(self, user: str, queue: str, *rights: str) -> None:
        """Grant queue-level rights (e.g. ``SeeQueue``, ``CreateTicket``) to a user."""
        self.run_perl(_PERL_GRANT_QUEUE_RIGHTS, user, queue, *rights)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the whole process group (Starlet master and its workers).

        SIGTERM, not SIGINT: Debian's rt-server turns SIGINT into a recursive
        ``chown www-data /var/lib/request-tracker5``, which we don't want.
        Idempotent.
        """
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        # Any worker that outlived its master is in the same (own) group.
        _signal_group(process.pid, signal.SIGKILL)
        self._process = None

    def __enter__(self) -> RTServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def rt_unavailable_reason() -> str | None:
    """Why RT cannot run on this machine, or ``None`` when it looks usable."""
    hint = "install it with `sudo scripts/install-rt.sh` (Debian request-tracker5)"
    for path in (RT_SERVER, RT_SETUP_DATABASE):
        if not os.access(path, os.X_OK):
            return f"Request Tracker 5 is not installed: {path} not found; {hint}"
    if shutil.which("perl") is None:
        return f"perl not found; {hint}"
    try:
        probe = subprocess.run(
            ["perl", "-MDBD::SQLite", "-e", "1"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run perl: {exc}"
    if probe.returncode != 0:
        return f"Perl DBD::SQLite is missing (package rt5-db-sqlite); {hint}"
    return None


def start_rt_server(workdir: Path, *, timeout: float = STARTUP_TIMEOUT) -> RTServer:
    """Start ``rt-server`` on a free loopback port with a private DB in ``workdir``.

    Returns once ``GET /REST/2.0/rt`` answers 200 for root. Raises
    :class:`RTUnavailable` (with the server log tail) when RT is missing, the
    database cannot be initialised, or the server does not come up in time.
    """
    reason = rt_unavailable_reason()
    if reason is not None:
        raise RTUnavailable(reason)

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    template_db, token = _template()

    database = workdir / "rt.db"
    shutil.copyfile(template_db, database)
    (workdir / "RT_SiteConfig.d").mkdir(exist_ok=True)  # empty: no system snippets
    log_path = workdir / "rt-server.log"

    last_error = "rt-server did not start"
    for _attempt in range(_PORT_ATTEMPTS):
        port = _free_port()
        site_config = _write_site_config(workdir, database=database, port=port)
        server = RTServer(
            url=f"http://{HOST}:{port}",
            host_port=f"{HOST}:{port}",
            port=port,
            workdir=workdir,
            database=database,
            site_config=site_config,
            log_path=log_path,
            token=token,
            _process=_spawn(site_config, port=port, log_path=log_path, cwd=workdir),
        )
        try:
            _wait_until_ready(server, timeout=timeout)
        except _PortTaken as exc:  # lost a race for the port: pick another one
            server.stop()
            last_error = str(exc)
            continue
        except BaseException:
            server.stop()
            raise
        return server
    raise RTUnavailable(f"{last_error}\n--- {log_path} ---\n{_tail(log_path)}")


class _PortTaken(Exception):
    pass


def _spawn(site_config: Path, *, port: int, log_path: Path, cwd: Path) -> subprocess.Popen[bytes]:
    command = [
        str(RT_SERVER),
        "--server",
        "Starlet",
        "--host",
        HOST,
        "--port",
        str(port),
        "--max-workers",
        str(WORKERS),
    ]
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=_rt_env(site_config),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so stop() gets every worker
        )


def _wait_until_ready(server: RTServer, *, timeout: float) -> None:
    probe = f"{server.rest2_url}/rt"
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    with requests.Session() as session:
        while time.monotonic() < deadline:
            process = server._process
            if process is None or process.poll() is not None:
                code = None if process is None else process.returncode
                tail = server.log_tail()
                if _LISTEN_FAILURE in tail:
                    raise _PortTaken(f"port {server.port} was taken")
                raise RTUnavailable(
                    f"rt-server exited with code {code} before answering"
                    f"\n--- {server.log_path} ---\n{tail}"
                )
            try:
                response = session.get(probe, auth=server.auth, timeout=5)
            except requests.RequestException as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}: {response.text[:200]}"
            time.sleep(0.2)
    raise RTUnavailable(
        f"rt-server did not answer GET {probe} with 200 within {timeout:.0f}s ({last})"
        f"\n--- {server.log_path} ---\n{server.log_tail()}"
    )


def _write_site_config(workdir: Path, *, database: Path, port: int) -> Path:
    """Write an RT_SiteConfig.pm that makes RT self-contained inside ``workdir``."""
    mason_data = workdir / "mason_data"
    sessions = workdir / "session_data"
    mason_data.mkdir(exist_ok=True)
    sessions.mkdir(exist_ok=True)
    mailbox = workdir / "outgoing-mail.mbox"
    q = _perl_string
    config = f"""# Generated by tests/support/rt_server.py - throw-away test instance.
Set($rtname, 'connector-desk-test');
Set($Organization, 'connector-desk-test');
Set($CorrespondAddress, 'rt@localhost');
Set($CommentAddress, 'rt-comment@localhost');
Set($Timezone, 'UTC');

Set($DatabaseType, 'SQLite');
Set($DatabaseName, {q(str(database))});

Set($WebDomain, '{HOST}');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://{HOST}:{port}');
Set($WebSecureCookies, 0);
# REST2 POSTs from test clients carry no browser Referer; don't let CSRF
# protection get in the way.
Set($RestrictReferrer, 0);

# Keep Mason's compiled components and web sessions out of /var/cache.
Set($MasonDataDir, {q(str(mason_data))});
Set($MasonSessionDir, {q(str(sessions))});

# Log to stderr only (captured in rt-server.log); no syslog, no /var/log.
Set($LogToSTDERR, 'warning');
Set($LogToSyslog, undef);
Set($LogToFile, undef);

# Never hand mail to a real MTA: scrips (autoreply, notify) append to a file.
Set($MailCommand, sub {{
    my $entity = shift;
    open(my $fh, '>>', {q(str(mailbox))}) or return 0;
    print $fh "From rt\\@localhost " . localtime() . "\\n", $entity->stringify, "\\n";
    close $fh;
    return 1;
}});
1;
"""
    path = workdir / "RT_SiteConfig.pm"
    path.write_text(config, encoding="utf-8")
    return path


def _template() -> tuple[Path, str]:
    """Return (template DB, root token), building and caching them on first use.

    The cache key covers RT's version, schema and initial data, so an RT
    upgrade rebuilds it. A file lock makes parallel test workers build it once.
    """
    cache_dir = Path(
        os.environ.get(_TEMPLATE_CACHE_ENV)
        or Path(tempfile.gettempdir()) / f"connector-desk-rt-template-{os.getuid()}"
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _template_key()
    db_path = cache_dir / f"rt-{key}.db"
    token_path = cache_dir / f"rt-{key}.token"
    with _locked(cache_dir / f"rt-{key}.lock"):
        if not (db_path.is_file() and token_path.is_file()):
            build_dir = Path(tempfile.mkdtemp(prefix="build-", dir=cache_dir))
            try:
                built_db, token = _build_template(build_dir)
                token_path.write_text(token, encoding="utf-8")
                os.replace(built_db, db_path)  # DB last: its presence marks completion
            finally:
                shutil.rmtree(build_dir, ignore_errors=True)
        return db_path, token_path.read_text(encoding="utf-8").strip()


def _build_template(build_dir: Path) -> tuple[Path, str]:
    database = build_dir / "rt.db"
    (build_dir / "RT_SiteConfig.d").mkdir()
    site_config = _write_site_config(build_dir, database=database, port=1)
    try:
        setup = subprocess.run(
            [str(RT_SETUP_DATABASE), "--action", "init"],
            cwd=build_dir,
            env=_rt_env(site_config),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RTUnavailable(f"rt-setup-database failed to run: {exc}") from exc
    if setup.returncode != 0 or not database.is_file():
        output = (setup.stdout + setup.stderr).decode(errors="replace")
        raise RTUnavailable(
            f"rt-setup-database --action init failed (exit {setup.returncode}):\n"
            + "\n".join(output.splitlines()[-40:])
        )
    token = _create_token(site_config, ROOT_USERNAME, "connector-desk tests")
    return database, token


def _create_token(site_config: Path, user: str, description: str) -> str:
    output = _run_perl(site_config, _PERL_CREATE_TOKEN, (user, description))
    for line in output.splitlines():
        if line.startswith("TOKEN="):
            return line.removeprefix("TOKEN=").strip()
    raise RTUnavailable(f"RT token helper printed no token: {output[-500:]!r}")


def _run_perl(
    site_config: Path, script: str, args: tuple[str, ...] | list[str], *, timeout: float = 60.0
) -> str:
    try:
        result = subprocess.run(
            ["perl", "-e", _PERL_PRELUDE + script, "--", *args],
            cwd=site_config.parent,
            env=_rt_env(site_config),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RTUnavailable(f"RT Perl helper failed to run: {exc}") from exc
    if result.returncode != 0:
        raise RTUnavailable(
            f"RT Perl helper failed (exit {result.returncode}): "
            f"{result.stderr.decode(errors='replace')[-2000:]}"
        )
    return result.stdout.decode(errors="replace")


def _rt_env(site_config: Path) -> dict[str, str]:
    """Environment that makes RT read only our config (not /etc/request-tracker5)."""
    env: dict[str, str] = dict(os.environ)
    env["RT_SITE_CONFIG"] = str(site_config)
    # Replaces both /usr/share/.../RT_SiteConfig.d and /etc/.../RT_SiteConfig.d.
    env["RT_SITE_CONFIG_DIR"] = str(site_config.parent / "RT_SiteConfig.d")
    return env


def _template_key() -> str:
    digest = hashlib.sha256(_TEMPLATE_RECIPE.encode())
    for path in (RT_LIB / "RT.pm", RT_ETC / "schema.SQLite", RT_ETC / "initialdata"):
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _perl_string(value: str) -> str:
    """Quote ``value`` as a Perl single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
