#pragma once

#include "Result.h"

#include <QString>

namespace stratus {

// The forecast model built into the program (resources/models/, trained on the bundled Beijing
// data by scripts/train-shipped-model.sh): what `--demo` forecasts with before the user trains or
// drops in their own. A registry needs a writable folder (retraining adds versions beside it), so
// the model is copied out of the resources once, into the user's data folder.
class ShippedModel
{
public:
    // The version (folder name) built in.
    static QString version();
    // <app data>/models: where install() puts it when the config names no models/dir.
    static QString defaultRoot();
    // Copies the shipped version into root/<version> unless it is there already; returns root.
    static Result<QString> install(const QString &root);
};

} // namespace stratus
