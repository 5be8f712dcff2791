#pragma once

// Feeds a history store from a bus's topics, as Engine does, for tests that drive a bus directly.
#include "bus/Bus.h"
#include "store/HistoryStore.h"

inline void feedStoreFromBus(stratus::Bus &bus, stratus::HistoryStore &store)
{
    using stratus::Bus;
    using stratus::HistoryStore;
    QObject::connect(&bus, &Bus::readings, &store, &HistoryStore::addReadings);
    QObject::connect(&bus, &Bus::features, &store, &HistoryStore::addFeatures);
    QObject::connect(&bus, &Bus::forecasts, &store, &HistoryStore::addForecasts);
    QObject::connect(&bus, &Bus::anomalies, &store, &HistoryStore::addAnomalies);
}
