#pragma once

#include "Reading.h"
#include "Result.h"
#include "Station.h"

#include <QJsonObject>
#include <QStringList>
#include <QUrl>

namespace stratus {

// Decodes api.weather.gov (NWS) GeoJSON: observations, station lists and /points answers.
// Every quantity is converted by its own unitCode (units::toInternal); a null or absent value stays
// missing; a value in a unit we do not know is dropped and named in `problems`, never guessed.
class NwsCodec
{
public:
    struct Observation
    {
        Reading reading;
        Station station;       // id, position and elevation from the feature's geometry
        QStringList problems;  // values dropped, one sentence each
    };

    // The body as a JSON object, or "malformed JSON at offset N: reason".
    static Result<QJsonObject> parseObject(const QByteArray &body);
    // One observation Feature (as /stations/{id}/observations/latest returns it).
    static Result<Observation> observation(const QJsonObject &feature, const QString &fallbackStationId = QString());
    // The features of an observation FeatureCollection, sorted by time; undecodable ones go to `problems`.
    static QList<Observation> observations(const QJsonObject &collection, QStringList *problems);
    // properties.observationStations of a /points/{lat},{lon} answer.
    static Result<QUrl> observationStationsUrl(const QJsonObject &point);
    // Station features of a FeatureCollection (/gridpoints/.../stations, /stations?...).
    static QList<Station> stations(const QJsonObject &collection, QStringList *problems);
    // One station Feature (/stations/{id}).
    static Result<Station> station(const QJsonObject &feature);
    // pagination.next, or an empty URL.
    static QUrl nextPage(const QJsonObject &collection);
    // "ProblemDetail" error bodies carry title/detail; returns them in one line, or empty.
    static QString problemDetail(const QByteArray &body);
};

} // namespace stratus
