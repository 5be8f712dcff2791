#pragma once

#include "Anomaly.h"
#include "DeadLetter.h"
#include "Forecast.h"
#include "Reading.h"
#include "WindowStats.h"

#include <QList>
#include <QObject>

namespace stratus {

// The arrows of the data flow. Publishers call publish*(); consumers connect to the signals (queued
// across threads by Qt). LocalBus and KafkaBus implement it; nothing else knows which one runs.
class Bus : public QObject
{
    Q_OBJECT
public:
    enum class Topic { Raw, Features, Predictions, Anomalies, DeadLetter };
    static QString topicName(Topic topic); // "stratus.raw", ...

    using QObject::QObject;

    virtual QString kind() const = 0; // "local" or "kafka"
    // Human-readable state for /health; empty when everything is fine.
    virtual QString problem() const { return QString(); }

    virtual void publishReadings(const QList<Reading> &readings) = 0;
    virtual void publishFeatures(const QList<WindowStats> &windows) = 0;
    virtual void publishForecasts(const QList<Forecast> &forecasts) = 0;
    virtual void publishAnomalies(const QList<Anomaly> &anomalies) = 0;
    virtual void publishDeadLetter(const DeadLetter &letter) = 0;

signals:
    void readings(const QList<stratus::Reading> &readings);
    void features(const QList<stratus::WindowStats> &windows);
    void forecasts(const QList<stratus::Forecast> &forecasts);
    void anomalies(const QList<stratus::Anomaly> &anomalies);
    void deadLetter(const stratus::DeadLetter &letter);
};

} // namespace stratus
