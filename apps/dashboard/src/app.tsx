import { useEffect, useState } from 'react';
import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes } from 'react-router-dom';
import { PendingApprovalsProvider } from './approvals/store.tsx';
import { Shell } from './components/shell.tsx';
import { FleetEventsProvider } from './lib/fleet-events.tsx';
import { useSessionState } from './lib/session.tsx';
import { ApprovalsPage } from './pages/approvals.tsx';
import { AuditPage } from './pages/audit.tsx';
import { FleetPage } from './pages/fleet.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TaskDetailPage } from './pages/task-detail.tsx';
import { TasksPage } from './pages/tasks.tsx';
import { TeamDetailPage } from './pages/team-detail.tsx';
import { TeamsPage } from './pages/teams.tsx';
import { TokensPage } from './pages/tokens.tsx';
import { WorkspacePage } from './pages/workspace.tsx';

/** Sign-in until a token works, then the shell with one route per page. */
export function App() {
  const { session, restore } = useSessionState();
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    void restore().finally(() => setRestoring(false));
  }, [restore]);
  if (restoring) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!session) return <SignInPage />;
  return (
    <FleetEventsProvider>
      <PendingApprovalsProvider>
        <Shell>
          <Routes>
            <Route path="/" element={<Navigate to="/fleet" replace />} />
            <Route path="/fleet" element={<FleetPage />} />
            <Route path="/workspaces/:ref" element={<WorkspacePage />} />
            <Route path="/tasks" element={<TasksPage />} />
            <Route path="/tasks/:id" element={<TaskDetailPage />} />
            <Route path="/approvals" element={<ApprovalsPage />} />
            <Route path="/approvals/:id" element={<ApprovalsPage />} />
            <Route path="/teams" element={<TeamsPage />} />
            <Route path="/teams/:ref" element={<TeamDetailPage />} />
            <Route path="/tokens" element={<TokensPage />} />
            <Route path="/audit" element={<AuditPage />} />
            <Route path="*" element={<Navigate to="/fleet" replace />} />
          </Routes>
        </Shell>
      </PendingApprovalsProvider>
    </FleetEventsProvider>
  );
}
