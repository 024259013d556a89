/* Generated once from tests/corpus/bug_type_names_from_pycrashreport.tsv (the
 * BugType class of pycrashreport): bug_type code -> name. Codes are strings
 * because a few are not numbers ("chw", "T01"). Keep sorted as in the TSV. */
#include "crash_internal.h"

#include <string.h>

static const struct {
  const char *code;
  const char *name;
} bug_types[] = {
    {"T01", "TestA"},
    {"T02", "TestB"},
    {"T03", "TestC"},
    {"chw", "CoreHandwriting"},
    {"diff_privacy", "DifferentialPrivacy"},
    {"metriclog", "AWDMetricLog"},
    {"powerlog", "PowerLog"},
    {"system_profile", "SystemInformation"},
    {"9", "Crash_9"},
    {"10", "Panic_10"},
    {"11", "Spin"},
    {"12", "Hang"},
    {"13", "ConnectionFailure"},
    {"14", "MessageTracer"},
    {"17", "ShutdownStall"},
    {"18", "AssumptionViolation"},
    {"20", "xprotect"},
    {"21", "GPURestart"},
    {"22", "ExcResource_22"},
    {"23", "MicroStackShots"},
    {"24", "SleepWakeFailure"},
    {"25", "WakeupsMonitorViolation"},
    {"26", "ping"},
    {"27", "WirelessDiagnostics"},
    {"28", "WatchdogTimeout"},
    {"29", "ServiceWatchdogTimeout"},
    {"30", "MemoryResource"},
    {"31", "Bridge"},
    {"32", "FirmwareIntegrity"},
    {"33", "CoreAnalytics_33"},
    {"34", "AutoBugCapture"},
    {"35", "EfiFirmwareIntegrity"},
    {"36", "SystemStats"},
    {"37", "AnonSystemStats"},
    {"44", "IOMicroStackShot"},
    {"45", "spin_45"},
    {"50", "DifferentialPrivacy_50"},
    {"58", "DuetKnowledgeCollector2"},
    {"83", "BridgeRestore"},
    {"98", "Jetsam_98"},
    {"100", "LDCM"},
    {"101", "CLTM"},
    {"109", "Crash_109"},
    {"110", "Panic_110"},
    {"115", "ResetCount"},
    {"116", "System"},
    {"117", "WiFi"},
    {"118", "Bluetooth"},
    {"119", "General"},
    {"120", "LowBattery"},
    {"141", "IOPowerSources"},
    {"142", "SymptomsCPUWakes"},
    {"143", "SCPMotion"},
    {"144", "HotSpotIOMicroSS"},
    {"145", "SymptomsIO"},
    {"146", "honeybee_payload"},
    {"147", "honeybee_heartbeat"},
    {"148", "honeybee_issue"},
    {"149", "MultitouchFirmware"},
    {"150", "DifferentialPrivacy_150"},
    {"151", "ForceReset"},
    {"152", "MemorySnapshot"},
    {"153", "BearTrapReserved"},
    {"154", "MemoryGraph"},
    {"155", "NetworkUsage"},
    {"156", "CoreTime"},
    {"157", "CPUMicroSS"},
    {"158", "DuetKnowledgeCollector"},
    {"159", "BasebandCrash"},
    {"160", "StepCount"},
    {"161", "MotionState"},
    {"162", "Natalies"},
    {"163", "SiriMiss"},
    {"164", "SubDiagHeartBeat"},
    {"165", "StorageStatus"},
    {"166", "KeyboardAccuracy"},
    {"167", "PrivacySettings"},
    {"168", "CarouselEvent"},
    {"169", "SiriTransaction"},
    {"170", "SubmissionReserved"},
    {"171", "MesaReserved"},
    {"172", "ECCEvent"},
    {"173", "CellularPerfReserved"},
    {"174", "MicroStackshot"},
    {"175", "DuetDB"},
    {"176", "FlashStatus"},
    {"177", "UIAutomation"},
    {"178", "PowerLogLite"},
    {"179", "Session"},
    {"180", "WifiReserved"},
    {"181", "WifiDriverReserved"},
    {"182", "AccessoryUpdate"},
    {"183", "OTASUpdate"},
    {"184", "GPURestart_184"},
    {"185", "ExcResource_185"},
    {"186", "KtraceStackshot"},
    {"187", "Sandbox"},
    {"188", "LegacyStackshot"},
    {"189", "iMessages"},
    {"191", "FaceTime"},
    {"192", "GasGauge"},
    {"193", "AggregateD"},
    {"194", "SURestore"},
    {"195", "BasebandStats"},
    {"197", "MACorrelation"},
    {"198", "LegacyJetsam"},
    {"199", "Modem"},
    {"201", "Siri"},
    {"202", "SymptomsCPUUsage"},
    {"203", "SiriAppPrediction"},
    {"204", "AutoBugCapture_204"},
    {"205", "PanicStats"},
    {"206", "SymptomsCPUUsageFatal"},
    {"207", "HangSpin"},
    {"209", "WifiCrash"},
    {"210", "Panic_210"},
    {"211", "CoreAnalytics_211"},
    {"212", "BTMetadata"},
    {"213", "Rosetta"},
    {"214", "Rhodes"},
    {"215", "SiriAppSelection"},
    {"216", "Rosetta_B"},
    {"217", "Portrait"},
    {"218", "MultichannelAudio"},
    {"219", "SiriActionPrediction"},
    {"220", "PowerMicroStackshots"},
    {"221", "WifiCrashBinary"},
    {"222", "LongRunloopHang"},
    {"223", "ShortRunloopHang"},
    {"224", "RTCTransparency"},
    {"225", "AppStoreTransparency"},
    {"226", "SecurityTransparency"},
    {"227", "ExcResourceThreads_227"},
    {"228", "ThirdPartyHang"},
    {"229", "SiriNotificationTransparency"},
    {"230", "PowerLog_230"},
    {"231", "CoreHandwriting_231"},
    {"233", "GeoServicesTransparency"},
    {"234", "BiomeMapReduce"},
    {"235", "WifiSensing"},
    {"236", "KeyTransparency"},
    {"237", "SKAdNetworkAnalytics"},
    {"238", "AppLaunchDiagnostics"},
    {"239", "HangWorkflowResponsiveness"},
    {"240", "AVConference"},
    {"241", "AMTStreamingStallNetworkDiagnostics"},
    {"243", "CompositorClientHang"},
    {"248", "HotStopAppLaunchLog"},
    {"278", "log_power"},
    {"284", "GPUEvent"},
    {"288", "Stackshot"},
    {"298", "Jetsam_298"},
    {"301", "SystemMemoryReset"},
    {"302", "glitchyspin"},
    {"303", "ProactiveEventTrackerTransparency"},
    {"304", "PrivateFederatedLearning"},
    {"305", "AudioAccessory"},
    {"308", "OSFault"},
    {"309", "Crash_309"},
    {"310", "MicroRunloopHang"},
    {"311", "HomeProductsAnalytics"},
    {"312", "DiagnosticRequest"},
    {"313", "SiriSearchFeedback"},
    {"327", "ExcResourceThreads_327"},
    {"328", "ThirdPartyHangDeveloper"},
    {"385", "ExcResource_385"},
    {"409", "SystemWatchdogCrash"},
    {"509", "TerminatingStackshot"},
};

const char *cp__crash_bugtype_name(const char *code)
{
  if (!code)
    return NULL;
  for (size_t i = 0; i < sizeof bug_types / sizeof bug_types[0]; i++)
    if (!strcmp(bug_types[i].code, code))
      return bug_types[i].name;
  return NULL;
}

/* The kind decides where triage puts a report. ForceReset (151) and the
 * system watchdog (409) read like panics to a technician: the phone
 * restarted. Resource kinds are the CPU/wakeups/IO/memory limit reports. */
const char *cp__crash_bugtype_kind(int bug_type)
{
  switch (bug_type) {
  case 9:
  case 109:
  case 309: return "crash";
  case 10:
  case 110:
  case 151:
  case 210:
  case 409: return "panic";
  case 98:
  case 198:
  case 298: return "jetsam";
  case 22:
  case 30:
  case 142:
  case 145:
  case 185:
  case 202:
  case 206:
  case 227:
  case 327:
  case 385: return "resource";
  case 33:
  case 211: return "analytics";
  default: return "other";
  }
}
