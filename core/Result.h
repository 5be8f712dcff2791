#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace stratus {

// The error type core and pipeline functions return instead of throwing: exceptions must not cross
// threads or the Qt event loop, and callers need the reason as text for logs, dead letters and HTTP.
struct Error
{
    QString message;
};

template <typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_value(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_value); }
    T &value() & { return std::get<T>(m_value); }
    T &&value() && { return std::get<T>(std::move(m_value)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<Error>(m_value); }
    QString errorMessage() const { return ok() ? QString() : error().message; }

private:
    std::variant<T, Error> m_value;
};

inline Error makeError(const QString &message) { return Error{message}; }

} // namespace stratus
