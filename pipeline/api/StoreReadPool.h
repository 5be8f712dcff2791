#pragma once

#include "ApiReply.h"

#include <QObject>
#include <QString>

#include <functional>
#include <vector>

class QThread;

namespace stratus {

class HistoryReader;

// The API's history-store reads (paged history, anomalies from the store) run here instead of on
// the API thread, so a client asking for 10,000 rows at a time cannot hold up /health or the
// others: a few lanes, each a thread with its own store connection (SQLite connections belong to
// the thread that opened them), at a lower CPU priority than the API thread. At most maxPending
// jobs wait; beyond that submit() refuses and the client gets 503.
class StoreReadPool : public QObject
{
    Q_OBJECT
public:
    using Job = std::function<ApiReply()>;

    StoreReadPool(int lanes, int maxPending, QObject *parent = nullptr);
    ~StoreReadPool() override;

    // The history store the lanes read; each lane opens its connection on first use.
    void setStorePath(const QString &path);
    // Runs job on a lane (its ApiContext::reader() is that lane's connection), then done on this
    // object's thread. false (nothing runs) when maxPending jobs are already queued.
    bool submit(Job job, std::function<void(const ApiReply &)> done);
    int pending() const { return m_pending; }
    int maxPending() const { return m_maxPending; }

    // The reader of the lane the calling thread is, or nullptr on any other thread.
    static HistoryReader *laneReader();

private:
    struct Lane
    {
        QThread *thread = nullptr;
        QObject *worker = nullptr; // lives on thread; owns its HistoryReader
        int queued = 0;
    };
    std::vector<Lane> m_lanes;
    int m_pending = 0;
    int m_maxPending;
    QString m_path;
};

} // namespace stratus
