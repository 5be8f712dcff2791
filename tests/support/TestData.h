#pragma once

#include <QString>

// Paths of the real shared data, resolved at build time relative to the project.
namespace testdata {
inline QString shared(const char *relative)
{
    return QStringLiteral(STRATUS_SHARED_DIR "/") + QString::fromUtf8(relative);
}
inline QString source(const char *relative)
{
    return QStringLiteral(STRATUS_SOURCE_DIR "/") + QString::fromUtf8(relative);
}
inline QString stratusBinary()
{
    return QStringLiteral(STRATUS_BINARY);
}
} // namespace testdata
