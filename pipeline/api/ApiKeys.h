#pragma once

#include <QLatin1StringView>

// JSON keys of the REST API's envelopes (the value types' own keys are in JsonCodec's JsonKeys).
namespace stratus::ApiKeys {
inline constexpr QLatin1StringView status{"status"};
inline constexpr QLatin1StringView error{"error"};
inline constexpr QLatin1StringView message{"message"};
inline constexpr QLatin1StringView count{"count"};
inline constexpr QLatin1StringView total{"total"};
inline constexpr QLatin1StringView limit{"limit"};
inline constexpr QLatin1StringView offset{"offset"};
inline constexpr QLatin1StringView nextOffset{"next_offset"};
inline constexpr QLatin1StringView station{"station"};
inline constexpr QLatin1StringView stations{"stations"};
inline constexpr QLatin1StringView latest{"latest"};
inline constexpr QLatin1StringView windows{"windows"};
inline constexpr QLatin1StringView predictions{"predictions"};
inline constexpr QLatin1StringView anomalies{"anomalies"};
inline constexpr QLatin1StringView features{"features"};
inline constexpr QLatin1StringView from{"from"};
inline constexpr QLatin1StringView to{"to"};
inline constexpr QLatin1StringView since{"since"};
inline constexpr QLatin1StringView note{"note"};
inline constexpr QLatin1StringView source{"source"};
inline constexpr QLatin1StringView version{"version"};
inline constexpr QLatin1StringView apiVersion{"api_version"};
inline constexpr QLatin1StringView mode{"mode"};
inline constexpr QLatin1StringView uptime{"uptime_s"};
inline constexpr QLatin1StringView sources{"sources"};
inline constexpr QLatin1StringView bus{"bus"};
inline constexpr QLatin1StringView store{"store"};
inline constexpr QLatin1StringView models{"models"};
inline constexpr QLatin1StringView counters{"counters"};
inline constexpr QLatin1StringView name{"name"};
inline constexpr QLatin1StringView state{"state"};
inline constexpr QLatin1StringView kind{"kind"};
inline constexpr QLatin1StringView lastError{"last_error"};
inline constexpr QLatin1StringView lastSuccess{"last_success"};
inline constexpr QLatin1StringView readings{"readings"};
inline constexpr QLatin1StringView path{"path"};
inline constexpr QLatin1StringView pendingRows{"pending_rows"};
inline constexpr QLatin1StringView ackedUntil{"acked_until"};
inline constexpr QLatin1StringView lastCommit{"last_commit"};
inline constexpr QLatin1StringView rows{"rows"};
inline constexpr QLatin1StringView active{"active"};
inline constexpr QLatin1StringView model{"model"};
inline constexpr QLatin1StringView trainedAt{"trained_at"};
inline constexpr QLatin1StringView metadata{"metadata"};
inline constexpr QLatin1StringView builtin{"builtin"};
inline constexpr QLatin1StringView stages{"stages"};
inline constexpr QLatin1StringView in{"in"};
inline constexpr QLatin1StringView out{"out"};
inline constexpr QLatin1StringView retentionDays{"retention_days"};
} // namespace stratus::ApiKeys
