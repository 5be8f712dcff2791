"""The reference system's Spark Structured Streaming job, as a peer of `stratus-bench kafka`.

Stratus JSON readings keyed by station, event time from "ts", 5 min windows sliding by 1 min with
a 2 min watermark, for each of Stratus's nine variables: count / mean / min / max / std and the
first and last value in event time, and for wind direction the resultant length (what Stratus's
aggregator computes), appended to an output topic when the watermark closes them. local[2], 4 shuffle partitions, bound to 127.0.0.1.

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


VARIABLES = ("temperature", "dewpoint", "humidity", "wind_speed", "wind_gust", "wind_direction", "pressure",
             "precipitation", "visibility")


def main():
    bootstrap, source, sink, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    spark = (SparkSession.builder.master("local[2]").appName("stratus-peer")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType([StructField("station", StringType()), StructField("ts", LongType())]
                        + [StructField(v, DoubleType()) for v in VARIABLES])
    raw = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", bootstrap)
           .option("subscribe", source).option("startingOffsets", "earliest").load())
    readings = (raw.select(F.from_json(F.col("value").cast("string"), schema).alias("r")).select("r.*")
                .where(F.col("station").isNotNull() & F.col("ts").isNotNull())
                .withColumn("et", F.timestamp_millis("ts")).withWatermark("et", "2 minutes"))
    stats = []
    for v in VARIABLES:
        at = F.when(F.col(v).isNotNull(), F.col("ts"))  # first / last of the values present
        stats += [F.count(v).alias(v + "_count"), F.avg(v).alias(v + "_mean"), F.min(v).alias(v + "_min"),
                  F.max(v).alias(v + "_max"), F.stddev_pop(v).alias(v + "_std"),
                  F.min_by(v, at).alias(v + "_first"), F.max_by(v, at).alias(v + "_last")]
    rad = F.radians("wind_direction")
    stats.append(F.sqrt(F.avg(F.sin(rad)) ** 2 + F.avg(F.cos(rad)) ** 2).alias("wind_direction_resultant_length"))
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
