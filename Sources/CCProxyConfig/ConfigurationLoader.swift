import Foundation
import Yams

/// Finds, reads, parses and validates the configuration file.
///
/// The pipeline is: YAML → shape checks (unknown keys, types) → environment overrides →
/// validation. Every problem of every stage is collected and reported together in one
/// `ConfigurationError`, so an operator fixes the file in one round.
public enum ConfigurationLoader {
    /// Reads and parses the file at `path`, applies the environment overrides
    /// (`CCPROXY_STATE`, `CCPROXY_LISTEN`, `CCPROXY_METRICS_LISTEN`; `claude_binary` is not
    /// overridable), then validates, reporting every problem at once.
    ///
    /// A relative `path` is resolved against `currentDirectory`; the result's `sourcePath` is
    /// the absolute path.
    ///
    /// - Throws: `.notFound` or `.unreadable` (one problem) if the file cannot be read;
    ///   `.invalid` with every problem otherwise.
    public static func load(
        path: String, environment: [String: String], currentDirectory: String
    ) throws(ConfigurationError) -> Configuration {
        let absolutePath = PathResolution.absolute(path, relativeTo: currentDirectory)
        let text = try ConfigurationFile.read(absolutePath)
        var configuration = try parse(yaml: text, environment: environment, currentDirectory: currentDirectory)
        configuration.sourcePath = absolutePath
        return configuration
    }

    /// Parses, overrides and validates like `load`, from a YAML string (`sourcePath` is nil).
    ///
    /// An empty document, or one holding only comments or an empty mapping, is a valid
    /// configuration with every default.
    ///
    /// - Throws: `.invalid` with every problem found.
    public static func parse(
        yaml: String, environment: [String: String], currentDirectory: String
    ) throws(ConfigurationError) -> Configuration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(invalid: [YAMLSyntaxProblem.message(for: error)])
        }
        let decoder = ConfigurationDecoder(root: root)
        var configuration = decoder.configuration
        var problems = decoder.problems
        problems += EnvironmentOverrides.apply(environment, currentDirectory: currentDirectory, to: &configuration)
        let validator = ConfigurationValidator(
            brokenModelIndices: decoder.brokenModelIndices, brokenWorkspaceNames: decoder.brokenWorkspaceNames)
        problems += validator.problems(in: configuration)
        guard problems.isEmpty else { throw ConfigurationError(invalid: problems) }
        configuration.stateDirectory = PathResolution.normalized(configuration.stateDirectory)
        return configuration
    }
}
