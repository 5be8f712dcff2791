#include "ApiContext.h"

#include "StoreReadPool.h"

#include <QDateTime>

namespace stratus {

ApiContext::ApiContext(const LiveState &state) : startedMs(QDateTime::currentMSecsSinceEpoch()), m_state(state) {}

void ApiContext::setStore(HistoryStore *store)
{
    m_store = store;
    m_reader.reset();
}

HistoryReader *ApiContext::reader()
{
    if (!m_store || !m_store->isOpen())
        return nullptr;
    if (HistoryReader *lane = StoreReadPool::laneReader())
        return lane; // a store-read lane's own connection (see StoreReadPool)
    if (!m_reader)
        m_reader = std::make_unique<HistoryReader>(m_store->path());
    if (!m_reader->open())
        return nullptr;
    return m_reader.get();
}

} // namespace stratus
