import type { ToolCall } from './transcript.ts';

/** A plausible input and output for a tool, so renderers and parsers see realistic shapes. */
export function toolCall(name: string, cwd: string): ToolCall {
  switch (name) {
    case 'Bash':
      return {
        name,
        input: { command: 'ls -la', description: 'List files in the working directory' },
        output:
          'total 8\ndrwxr-xr-x 2 sim sim 4096 Jan  1 00:00 .\n-rw-r--r-- 1 sim sim   42 README.md',
      };
    case 'Read':
      return {
        name,
        input: { file_path: `${cwd}/README.md` },
        output: '     1\t# Simulated file\n     2\tclaude-sim wrote this.',
      };
    case 'Write':
      return {
        name,
        input: { file_path: `${cwd}/notes.md`, content: 'simulated\n' },
        output: `File created successfully at: ${cwd}/notes.md`,
      };
    case 'Edit':
      return {
        name,
        input: { file_path: `${cwd}/README.md`, old_string: 'old', new_string: 'new' },
        output: `The file ${cwd}/README.md has been updated.`,
      };
    case 'Glob':
      return { name, input: { pattern: '**/*.ts' }, output: `${cwd}/src/index.ts` };
    case 'Grep':
      return {
        name,
        input: { pattern: 'TODO', output_mode: 'files_with_matches' },
        output: 'No files found',
      };
    case 'WebFetch':
      return {
        name,
        input: { url: 'https://example.com', prompt: 'Summarize the page' },
        output: 'A simulated page summary.',
      };
    case 'WebSearch':
      return { name, input: { query: 'simulated search' }, output: 'No results (simulated).' };
    case 'TodoWrite':
      return {
        name,
        input: {
          todos: [
            { content: 'Read the code', status: 'completed', activeForm: 'Reading the code' },
            { content: 'Make the change', status: 'in_progress', activeForm: 'Making the change' },
            { content: 'Run the tests', status: 'pending', activeForm: 'Running the tests' },
          ],
        },
        output:
          'Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable',
      };
    case 'Task':
      return {
        name,
        input: {
          description: 'Explore the code',
          prompt: 'Find the entry point',
          subagent_type: 'general-purpose',
        },
        output: 'The entry point is src/index.ts (simulated).',
      };
    default:
      return {
        name,
        input: { description: `simulated ${name} call` },
        output: `${name} done (simulated)`,
      };
  }
}
