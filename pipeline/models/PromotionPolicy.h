#pragma once

#include <QJsonObject>
#include <QString>

namespace stratus {

// Decides whether a retrained candidate replaces the active model. Both were scored by
// ForecastEvaluator (the --evaluate metrics) on the same held-back span, which the candidate was
// not trained on. The score is the temperature MAE averaged over the horizons evaluated (1, 3, 6,
// 12, 24 h). The candidate is promoted only when
//  - it beats persistence and same-hour-yesterday on that span, and
//  - it beats the active model by the margin: mae_candidate <= (1 − margin) · mae_active
//    (with no active model, it must beat the better baseline by the margin).
class PromotionPolicy
{
public:
    struct Decision
    {
        bool promote = false;
        QString reason;
        double candidateMae = 0, activeMae = -1, persistenceMae = 0, sameHourYesterdayMae = 0;
        QJsonObject toJson() const;
    };

    // `candidate` and `active` are Evaluation::toJson() objects; `active` empty = no active model.
    static Decision decide(const QJsonObject &candidate, const QJsonObject &active, double margin);
    // Mean over the temperature horizons of `which` ("model", "persistence", "same_hour_yesterday");
    // NaN when the evaluation has none.
    static double meanMae(const QJsonObject &evaluation, const QString &which);
};

} // namespace stratus
