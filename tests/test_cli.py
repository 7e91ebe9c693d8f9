from webapp.models import User


def test_users_create_reads_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["users", "create", "Ops@Example.com", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ops@example.com." in result.output
    assert User.by_email("ops@example.com").check_password("a long enough password")


def test_users_create_asks_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["users", "create", "ops@example.com", "--role", "viewer"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") >= 1 and "Repeat" in result.output
    assert User.by_email("ops@example.com").role == "viewer"


def test_users_create_refuses_a_duplicate(app, runner, admin):
    result = runner.invoke(
        args=["users", "create", "ADMIN@example.com", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 1
    assert "A user with this e-mail already exists." in result.output


def test_users_create_refuses_a_short_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "ops@example.com", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 1
    assert "Use at least 12 characters." in result.output
    assert User.count() == 0


def test_setup_url_prints_a_working_link_while_no_user_exists(app, runner, client):
    result = runner.invoke(args=["setup-url", "--base-url", "http://127.0.0.1:5000"])
    assert "No user exists yet" in result.output
    link = next(word for word in result.output.split() if "/setup?token=" in word)
    path = link.removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 200


def test_setup_url_prints_nothing_once_a_user_exists(app, runner, admin):
    result = runner.invoke(args=["setup-url"])
    assert result.output == ""


def test_setup_url_says_which_address_it_assumes_without_a_running_server(app, runner):
    result = runner.invoke(args=["setup-url"])
    assert "No running `flask serve` found" in result.stderr
    assert "pass --base-url" in result.stderr
    assert "http://127.0.0.1:5000/setup?token=" in result.stdout
