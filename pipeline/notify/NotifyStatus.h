#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <array>

namespace stratus {

// What the notification side of an engine is doing, copied into LiveState for /health and
// /metrics: how many alerts fire (by kind and severity) and how each receiver fares.
struct NotifyStatus
{
    struct Target
    {
        enum class State { Unknown, Up, Down }; // Unknown: nothing sent yet
        QString kind;          // "alertmanager" or "webhook"
        QString url;           // without user info
        State state = State::Unknown;
        QString lastError;
        qint64 lastSuccessMs = 0;
        qint64 lastErrorMs = 0;
        qint64 queued = 0;     // alerts (Alertmanager) or notifications (webhook) waiting
        qint64 sent = 0;       // alerts delivered (Alertmanager) or notifications (webhook)
        qint64 errors = 0;     // failed requests (each retried)
        qint64 failed = 0;     // webhook notifications given up after every retry
        qint64 dropped = 0;    // given up without retrying: refused by the receiver (4xx), or pushed out of the full webhook queue
    };

    std::array<std::array<qint64, 3>, 9> firing{}; // [AnomalyKind][Severity]
    qint64 tracked = 0; // firing and recently resolved alerts
    QList<Target> targets;

    qint64 firingTotal() const;
    bool anyDown() const;
    // The "notify" object of /health.
    QJsonObject toJson() const;
    static QString stateKey(Target::State state);
};

} // namespace stratus
