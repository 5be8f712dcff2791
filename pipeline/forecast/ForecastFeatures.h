#pragma once

#include "ForecastDataLoader.h"

#include <QStringList>

#include <functional>

namespace stratus {

// What the feature builder may know besides the station's own record.
struct FeatureContext
{
    // Mean of the OTHER stations of the model's group for a channel at a time (the station's own
    // value is passed so it can be left out); NaN when no other station reported then. Unset for a
    // model trained without cross-station features.
    std::function<double(Channel, qint64 ms, double own)> othersMean;
    // Daily models: mean temperature per day of year (index 0..365) from the training years.
    const std::vector<double> *climatology = nullptr;
    // Another station's record by id (nullptr when unknown), for the per-neighbour terms: each of
    // the model's stations is read separately, not only through the group mean.
    std::function<const StationSeries *(const QString &id)> series;
    // The live engine's alternative to both callbacks: the record of each of the model's stations,
    // in the model's order (nullptr where there is none), looked up once per forecast. The mean of
    // the others is then taken over these.
    std::vector<const StationSeries *> group;

    // The mean of the other stations of the group for a channel at a time, NaN when none reported.
    double othersMeanAt(Channel c, qint64 ms, double own) const;
};

// Builds the regression inputs for one station at one issue slot t from slots <= t only, so a
// forecast never sees the future. The same code serves training, evaluation and the live engine,
// and its list of names is stored in every model so a model and a builder that disagree are refused.
class ForecastFeatures
{
public:
    // Bump when the meaning of any feature changes; stored in the model metadata.
    static constexpr int kFeatureSetVersion = 2; // 2: per-neighbour and advection terms

    // `stations`: with more than one, each station gets its own offset and diurnal shape terms
    // (urban and rural sites cool differently at night); build() then needs a listed station.
    ForecastFeatures(bool daily, const std::array<bool, kChannelCount> &channels, bool crossStation,
                     const QStringList &stations = {}, bool hourTerms = true, bool neighbourTerms = false);

    bool daily() const { return m_daily; }
    bool crossStation() const { return m_cross; }
    bool neighbourTerms() const { return m_neighbours; }
    const std::array<bool, kChannelCount> &channels() const { return m_channels; }
    const QStringList &names() const { return m_names; }
    int size() const { return static_cast<int>(m_names.size()); }
    // Slots of history the features reach back (the live engine keeps at least this many).
    int historyNeeded() const { return m_daily ? 31 : 49; }

    // Fills out[0..size()) for issue slot t. Returns false when a value the features need is missing
    // even after looking back a few slots.
    bool build(const StationSeries &s, int t, const FeatureContext &ctx, double *out) const;
    // The same, leaving NaN in the features whose inputs are missing (a station without wind, a gap
    // in the lags, history shorter than a week); returns how many are, or -1 when nothing can be
    // forecast (no current temperature, a station the model has no terms for).
    int buildPartial(const StationSeries &s, int t, const FeatureContext &ctx, double *out) const;

    static double dayOfYearFraction(qint64 ms);
    static int dayOfYear(qint64 ms);

private:
    struct Row;
    bool has(Channel c) const { return m_channels[ch(c)]; }
    bool buildHourly(Row &row) const;
    void putTemperature(Row &row) const;
    void putMoisture(Row &row) const;
    void putPressureWindRain(Row &row) const;
    void putCrossStation(Row &row) const;
    void putInteractions(Row &row) const;
    bool putStationTerms(Row &row) const;
    void putNeighbours(Row &row) const;
    bool buildDaily(Row &row) const;
    void putDailyInputs(Row &row) const;
    void addName(const QString &n) { m_names << n; }
    QStringList interactionBases() const;

    bool m_daily;
    std::array<bool, kChannelCount> m_channels;
    bool m_cross;
    bool m_hourTerms;
    bool m_neighbours;
    QStringList m_stations;
    QStringList m_names;
};

} // namespace stratus
