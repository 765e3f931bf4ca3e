// Runs in: a worker (`ccproxy-worker`).

import Foundation

/// The bound on the captures directory (`captures_max_bytes`).
enum CaptureDirectory {
    /// Removes the oldest files (by modification time) until the directory holds less than
    /// `bound` bytes. Workers may prune at the same time: a file another one removed first is
    /// simply gone.
    static func prune(_ directory: String, keepingBelow bound: Int) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
        var files: [(path: String, size: Int, modified: Date)] = []
        for name in names {
            let path = directory + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            files.append(
                (path, (attributes[.size] as? NSNumber)?.intValue ?? 0, attributes[.modificationDate] as? Date ?? .distantPast))
        }
        var total = files.reduce(0) { $0 + $1.size }
        guard total >= bound else { return }
        for file in files.sorted(by: { $0.modified < $1.modified }) where total >= bound {
            if (try? manager.removeItem(atPath: file.path)) != nil { total -= file.size }
        }
    }
}
