#pragma once

#include "Bus.h"

namespace stratus {

// In-process bus: publishing emits the topic's signal. Subscribers in the publisher's thread are
// called directly; subscribers in other threads receive the (implicitly shared) list queued.
class LocalBus final : public Bus
{
    Q_OBJECT
public:
    using Bus::Bus;

    QString kind() const override { return QStringLiteral("local"); }

    void publishReadings(const QList<Reading> &r) override { emit readings(r); }
    void publishFeatures(const QList<WindowStats> &w) override { emit features(w); }
    void publishForecasts(const QList<Forecast> &f) override { emit forecasts(f); }
    void publishAnomalies(const QList<Anomaly> &a) override { emit anomalies(a); }
    void publishDeadLetter(const DeadLetter &d) override { emit deadLetter(d); }
};

} // namespace stratus
