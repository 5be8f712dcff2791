#pragma once

#include <QColor>
#include <QList>

namespace stratus {

// A perceptually ordered colour ramp (cold blue → teal → yellow → hot red) for values mapped to 0..1.
class ColorRamp
{
public:
    static QColor color(double t); // t is clamped to 0..1
    static QRgb rgb(double t, int alpha);
    static constexpr int kBuckets = 48; // markers use this many pre-rendered colours
    static int bucket(double t);
    static double bucketCentre(int bucket);
};

} // namespace stratus
