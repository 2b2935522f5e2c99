"""The floor: the thinnest Flask app one could write, served the same way as ours."""

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping():
    return {"status": "ok"}
