#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace stratus {

// A record the pipeline could not use, kept with the reason instead of being silently lost.
struct DeadLetter
{
    QString origin;    // topic or "file:line" the record came from
    QByteArray key;    // station id when known
    QByteArray payload;
    QString reason;
    qint64 receivedAtMs = 0;
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::DeadLetter)
