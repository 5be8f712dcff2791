#pragma once

#include <QString>
#include <QStringList>

namespace stratus {

// `stratus --retrain --db FILE --models DIR [--config F] [--train-days N] [--held-back-days N]
// [--margin X] [--stations A,B] [--json]`: one retraining run in the foreground, as the scheduler
// runs it in a server (checkpointed: run it again after a kill and it resumes). Prints the decision.
class RetrainCommand
{
public:
    static QString helpText();
    // The process exit code: 0 decided (promoted or rejected), 1 failed, 2 bad usage.
    static int run(const QStringList &args);
};

} // namespace stratus
