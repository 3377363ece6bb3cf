// The action's own name for what it leaves behind: the PR comment's marker, the JSON report's file name, the SBOM's
// tool, the HTTP user agent, its folder when the runner gives none. Not temporal's: it validates any blueprint (the
// action's repository and its default blueprint keep their names).
export const ACTION_NAME = 'blueprint-action'
