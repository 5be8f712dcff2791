#include "StationSeries.h"

namespace stratus {

int StationSeries::slotOf(qint64 ms) const
{
    const qint64 d = ms - startMs;
    return static_cast<int>(d >= 0 ? d / stepMs : -((-d + stepMs - 1) / stepMs));
}

void StationSeries::resize(int n)
{
    for (auto &v : values)
        v.resize(static_cast<size_t>(n), kMissing);
}

} // namespace stratus
