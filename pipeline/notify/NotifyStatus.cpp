#include "NotifyStatus.h"

#include "TimeUtil.h"

#include <QJsonArray>

#include <algorithm>

namespace stratus {

QString NotifyStatus::stateKey(Target::State state)
{
    switch (state) {
    case Target::State::Up: return QStringLiteral("up");
    case Target::State::Down: return QStringLiteral("down");
    case Target::State::Unknown: break;
    }
    return QStringLiteral("unknown");
}

qint64 NotifyStatus::firingTotal() const
{
    qint64 n = 0;
    for (const auto &bySeverity : firing)
        for (const qint64 c : bySeverity)
            n += c;
    return n;
}

bool NotifyStatus::anyDown() const
{
    return std::any_of(targets.cbegin(), targets.cend(), [](const Target &t) { return t.state == Target::State::Down; });
}

QJsonObject NotifyStatus::toJson() const
{
    QJsonArray list;
    for (const Target &t : targets) {
        QJsonObject o{{QLatin1String("kind"), t.kind},
                      {QLatin1String("url"), t.url},
                      {QLatin1String("state"), stateKey(t.state)},
                      {QLatin1String("queued"), t.queued},
                      {QLatin1String("sent"), t.sent},
                      {QLatin1String("errors"), t.errors}};
        o.insert(QLatin1String("dropped"), t.dropped);
        if (t.kind == QLatin1String("webhook"))
            o.insert(QLatin1String("failed"), t.failed);
        if (!t.lastError.isEmpty())
            o.insert(QLatin1String("last_error"), t.lastError);
        if (t.lastErrorMs > 0)
            o.insert(QLatin1String("last_error_at"), timeutil::toIsoUtc(t.lastErrorMs));
        if (t.lastSuccessMs > 0)
            o.insert(QLatin1String("last_success"), timeutil::toIsoUtc(t.lastSuccessMs));
        list.append(o);
    }
    QJsonObject o;
    o.insert(QLatin1String("state"), targets.isEmpty() ? QLatin1String("disabled")
                                     : anyDown()        ? QLatin1String("degraded")
                                                        : QLatin1String("ok"));
    o.insert(QLatin1String("firing"), firingTotal());
    o.insert(QLatin1String("receivers"), list);
    return o;
}

} // namespace stratus
