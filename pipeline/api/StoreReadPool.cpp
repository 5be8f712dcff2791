#include "StoreReadPool.h"

#include "store/HistoryReader.h"

#include <QPointer>
#include <QThread>

#include <memory>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stratus {

namespace {
thread_local HistoryReader *t_laneReader = nullptr;

// A lane's thread: its store connection is opened, used and closed on this thread only.
class LaneWorker final : public QObject
{
public:
    void run(const QString &path, const StoreReadPool::Job &job, ApiReply *out)
    {
        if (!m_niced) {
            // On Linux a thread has its own nice value: the lanes yield the CPU to the API thread
            // (and to ingestion), which is what keeps /health fast while they are busy.
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 5);
            m_niced = true;
        }
        if (!path.isEmpty() && (!m_reader || m_reader->path() != path))
            m_reader = std::make_unique<HistoryReader>(path);
        t_laneReader = m_reader && m_reader->open() ? m_reader.get() : nullptr;
        *out = job();
        t_laneReader = nullptr;
    }

private:
    std::unique_ptr<HistoryReader> m_reader;
    bool m_niced = false;
};
} // namespace

StoreReadPool::StoreReadPool(int lanes, int maxPending, QObject *parent) : QObject(parent), m_maxPending(maxPending)
{
    for (int i = 0; i < std::max(1, lanes); ++i) {
        Lane lane;
        lane.thread = new QThread;
        lane.thread->setObjectName(QStringLiteral("stratus-api-read-%1").arg(i));
        lane.worker = new LaneWorker;
        lane.worker->moveToThread(lane.thread);
        // The worker (and its connection) is deleted on its own thread when the thread ends.
        connect(lane.thread, &QThread::finished, lane.worker, &QObject::deleteLater);
        lane.thread->start();
        m_lanes.push_back(lane);
    }
}

StoreReadPool::~StoreReadPool()
{
    // Running jobs finish (they use the API's controllers, which outlive this pool); queued ones
    // are dropped with their threads' event loops.
    for (Lane &lane : m_lanes) {
        lane.thread->quit();
        lane.thread->wait();
        delete lane.thread;
    }
}

void StoreReadPool::setStorePath(const QString &path)
{
    m_path = path;
}

HistoryReader *StoreReadPool::laneReader()
{
    return t_laneReader;
}

bool StoreReadPool::submit(Job job, std::function<void(const ApiReply &)> done)
{
    if (m_pending >= m_maxPending)
        return false;
    size_t best = 0;
    for (size_t i = 1; i < m_lanes.size(); ++i) {
        if (m_lanes[i].queued < m_lanes[best].queued)
            best = i;
    }
    ++m_pending;
    ++m_lanes[best].queued;
    auto *worker = static_cast<LaneWorker *>(m_lanes[best].worker);
    const QPointer<StoreReadPool> self(this);
    QMetaObject::invokeMethod(
        worker,
        [worker, self, best, path = m_path, job = std::move(job), done = std::move(done)] {
            auto reply = std::make_shared<ApiReply>();
            worker->run(path, job, reply.get());
            if (!self)
                return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, best, reply, done] {
                    --self->m_pending;
                    --self->m_lanes[best].queued;
                    done(*reply);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
    return true;
}

} // namespace stratus
