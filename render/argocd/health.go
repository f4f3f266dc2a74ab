package argocd

// HealthCheckKey is the argocd-cm key of the Application health check.
const HealthCheckKey = "resource.customizations.health.argoproj.io_Application"

// HealthCheckLua restores the health assessment of Applications that
// Argo CD dropped in 1.8 (argo-cd#3781), from its "Resource Health" docs:
// an Application is as healthy as its status says. Without it a parent
// Application calls a child Healthy as soon as it exists, and the sync
// waves of the root Application would not wait for the LB controller.
const HealthCheckLua = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`
