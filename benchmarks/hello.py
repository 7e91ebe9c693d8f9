"""The yardstick: a bare Flask app that answers "hello", served like Connector Desk."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
