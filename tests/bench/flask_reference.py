#!/usr/bin/env python3
"""The reference system's REST layer for stratus-bench rest: a Flask app (werkzeug's threaded server,
the one the reference's app.run started) answering /predictions/<id> and /anomalies with the same data
Stratus serves, in the reference's envelope ({"predictions": [...], "count": n} via jsonify).
Generous to Flask: the payload is in memory; the reference opened a Kafka consumer per request.

usage: flask_reference.py PORT PREDICTIONS.json ANOMALIES.json
"""
import json
import logging
import sys

from flask import Flask, jsonify
from werkzeug.serving import make_server

port, predictions_file, anomalies_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(predictions_file, encoding="utf-8") as f:
    PREDICTIONS = json.load(f).get("predictions", [])
with open(anomalies_file, encoding="utf-8") as f:
    ANOMALIES = json.load(f).get("anomalies", [])

app = Flask(__name__)
logging.getLogger("werkzeug").setLevel(logging.ERROR)


@app.route("/predictions/<station>", methods=["GET"])
def predictions(station):
    return jsonify({"predictions": PREDICTIONS, "count": len(PREDICTIONS)}), 200


@app.route("/anomalies", methods=["GET"])
def anomalies():
    return jsonify({"anomalies": ANOMALIES, "count": len(ANOMALIES)}), 200


if __name__ == "__main__":
    # The server app.run(threaded=True) starts, made here so the line below comes after the bind.
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"flask: serving http://127.0.0.1:{port}", flush=True)
    server.serve_forever()
