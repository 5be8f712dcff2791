#pragma once

#include <QtGlobal>

namespace stratus {

// Length and slide of the event-time windows, and how late a reading may arrive.
struct WindowOptions
{
    qint64 lengthMs = 5 * 60'000;
    qint64 slideMs = 60'000;
    qint64 allowedLatenessMs = 2 * 60'000;
};

} // namespace stratus
