"""The reference system's Spark Structured Streaming job, as a peer of `stratus-bench kafka`.

Stratus JSON readings keyed by station, event time from "ts", 5 min windows sliding by 1 min with
a 2 min watermark, count / mean / min / max / std of temperature and humidity, appended to an
output topic when the watermark closes them. local[2], 4 shuffle partitions, bound to 127.0.0.1.

Usage: stratus_windows.py BOOTSTRAP INPUT_TOPIC OUTPUT_TOPIC READINGS
Runs the backlog with trigger(availableNow) and prints one JSON line: readings per second of
micro-batch execution (sum of triggerExecution over the batches; the JVM and session start-up
are not counted) and the rows read.
"""
import json
import sys
import tempfile

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType


def main():
    bootstrap, source, sink, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    spark = (SparkSession.builder.master("local[2]").appName("stratus-peer")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType([StructField("station", StringType()), StructField("ts", LongType()),
                         StructField("temperature", DoubleType()), StructField("humidity", DoubleType())])
    raw = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", bootstrap)
           .option("subscribe", source).option("startingOffsets", "earliest").load())
    readings = (raw.select(F.from_json(F.col("value").cast("string"), schema).alias("r")).select("r.*")
                .where(F.col("station").isNotNull() & F.col("ts").isNotNull())
                .withColumn("et", F.timestamp_millis("ts")).withWatermark("et", "2 minutes"))
    stats = []
    for v in ("temperature", "humidity"):
        stats += [F.count(v).alias(v + "_count"), F.avg(v).alias(v + "_mean"), F.min(v).alias(v + "_min"),
                  F.max(v).alias(v + "_max"), F.stddev_pop(v).alias(v + "_std")]
    windows = readings.groupBy(F.window("et", "5 minutes", "1 minute"), "station").agg(*stats)
    out = windows.select(F.col("station").alias("key"), F.to_json(F.struct("*")).alias("value"))
    query = (out.writeStream.format("kafka").option("kafka.bootstrap.servers", bootstrap).option("topic", sink)
             .option("checkpointLocation", tempfile.mkdtemp(prefix="stratus-spark-ckpt-")).outputMode("append")
             .trigger(availableNow=True).start())
    query.awaitTermination()
    rows = sum(p["numInputRows"] for p in query.recentProgress)
    ms = sum(p["durationMs"].get("triggerExecution", 0) for p in query.recentProgress)
    if rows < expected or ms <= 0:
        print(f"spark peer: read {rows} of {expected} readings", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"readings_per_s": round(rows / (ms / 1000.0)), "rows": rows, "seconds": ms / 1000.0}))
    spark.stop()


if __name__ == "__main__":
    main()
